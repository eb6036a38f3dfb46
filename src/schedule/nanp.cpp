#include "dialerd/schedule/nanp.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace dialerd::schedule {

namespace {

// The zone lists area codes point at. A list names every zone its area codes are used in, the one most
// of their subscribers are on first; see docs/NANP_TIMEZONES.md for the sources and how to update them.

// United States: single zones.
constexpr std::string_view kNewYork[] = {"America/New_York"};
constexpr std::string_view kChicago[] = {"America/Chicago"};
constexpr std::string_view kDenver[] = {"America/Denver"};
constexpr std::string_view kLosAngeles[] = {"America/Los_Angeles"};
constexpr std::string_view kPhoenix[] = {"America/Phoenix"};
constexpr std::string_view kDetroit[] = {"America/Detroit"};
constexpr std::string_view kIndianapolis[] = {"America/Indiana/Indianapolis"};
constexpr std::string_view kLouisville[] = {"America/Kentucky/Louisville"};
constexpr std::string_view kHonolulu[] = {"Pacific/Honolulu"};

// United States: area codes that span zones.
// Alaska: every Alaska zone; Adak (western Aleutians) is on Hawaii-Aleutian time.
constexpr std::string_view kAlaska[] = {"America/Anchorage", "America/Juneau", "America/Sitka", "America/Metlakatla",
                                        "America/Yakutat",   "America/Nome",   "America/Adak"};
// Phenix City, Lanett and Valley keep Eastern time with Columbus, GA.
constexpr std::string_view kAlabamaSoutheast[] = {"America/Chicago", "America/New_York"};
// Central west of the Apalachicola River, Eastern around Tallahassee.
constexpr std::string_view kFloridaPanhandle[] = {"America/Chicago", "America/New_York"};
// Central, with Eastern counties around Elizabethtown and Campbellsville.
constexpr std::string_view kKentuckyWest[] = {"America/Chicago", "America/New_York"};
// Eastern; Wayne County has its own zone; Clinton County (Albany) is Central.
constexpr std::string_view kKentuckyEast[] = {"America/New_York", "America/Kentucky/Monticello", "America/Chicago"};
// Eastern; Marion, Sequatchie and Bledsoe counties are Central.
constexpr std::string_view kTennesseeEast[] = {"America/New_York", "America/Chicago"};
// Central; Cumberland County (Crossville) is Eastern.
constexpr std::string_view kTennesseeMiddle[] = {"America/Chicago", "America/New_York"};
// Central; Eastern too, as exchanges at its southern and eastern edges may keep it.
constexpr std::string_view kIndianaNorthwest[] = {"America/Chicago", "America/Indiana/Indianapolis"};
// Eastern; Starke County (Knox) is Central; Pulaski County has its own zone.
constexpr std::string_view kIndianaNorth[] = {"America/Indiana/Indianapolis", "America/Indiana/Knox",
                                              "America/Indiana/Winamac"};
// Eastern (several Indiana tz zones); the Evansville corner and Perry County are Central.
constexpr std::string_view kIndianaSouth[] = {
    "America/Indiana/Indianapolis", "America/Chicago",         "America/Indiana/Tell_City", "America/Indiana/Vincennes",
    "America/Indiana/Petersburg",   "America/Indiana/Marengo", "America/Indiana/Vevay"};
// Eastern; the four counties on the Wisconsin border are Central.
constexpr std::string_view kUpperPeninsula[] = {"America/Detroit", "America/Menominee"};
// Central; the southwest is Mountain; three counties have their own tz zones.
constexpr std::string_view kNorthDakota[] = {"America/Chicago", "America/Denver", "America/North_Dakota/Center",
                                             "America/North_Dakota/New_Salem", "America/North_Dakota/Beulah"};
// Central with a Mountain part: South Dakota west of the Missouri, western Kansas and
// Nebraska, Kenton OK (de facto) and northwestern Culberson County TX (432).
constexpr std::string_view kCentralMountain[] = {"America/Chicago", "America/Denver"};
// Southern Idaho is Mountain, the panhandle Pacific.
constexpr std::string_view kIdaho[] = {"America/Boise", "America/Los_Angeles"};
// Malheur County is Mountain.
constexpr std::string_view kOregonOutsidePortland[] = {"America/Los_Angeles", "America/Boise"};
// West Wendover is Mountain, Jackpot keeps Mountain time de facto.
constexpr std::string_view kNevadaOutsideLasVegas[] = {"America/Los_Angeles", "America/Denver"};
// Arizona has no DST, but the Navajo Nation keeps it.
constexpr std::string_view kArizonaNorth[] = {"America/Phoenix", "America/Denver"};

// Canada.
constexpr std::string_view kToronto[] = {"America/Toronto"};
constexpr std::string_view kVancouver[] = {"America/Vancouver"};
constexpr std::string_view kEdmonton[] = {"America/Edmonton"};
constexpr std::string_view kWinnipeg[] = {"America/Winnipeg"};
constexpr std::string_view kMoncton[] = {"America/Moncton"};
// Pacific; the East Kootenay is Mountain, Creston and the Peace River on MST all year.
constexpr std::string_view kBritishColumbia[] = {"America/Vancouver", "America/Edmonton", "America/Creston",
                                                 "America/Dawson_Creek", "America/Fort_Nelson"};
// CST all year; Lloydminster keeps Alberta time, Creighton and Denare Beach Central DST.
constexpr std::string_view kSaskatchewan[] = {"America/Regina", "America/Swift_Current", "America/Edmonton",
                                              "America/Winnipeg"};
// Eastern around Thunder Bay, Central west of it, Atikokan on EST all year.
constexpr std::string_view kOntarioNorthwest[] = {"America/Toronto", "America/Winnipeg", "America/Atikokan"};
// Eastern; the Magdalen Islands are Atlantic, the Lower North Shore on AST all year.
constexpr std::string_view kQuebecEast[] = {"America/Toronto", "America/Halifax", "America/Blanc-Sablon"};
// Atlantic; Cape Breton has its own tz zone.
constexpr std::string_view kNovaScotia[] = {"America/Halifax", "America/Glace_Bay"};
// Newfoundland time, except most of Labrador on Atlantic time.
constexpr std::string_view kNewfoundland[] = {"America/St_Johns", "America/Goose_Bay"};
// Yukon, the Northwest Territories and Nunavut: every zone they use.
constexpr std::string_view kTerritories[] = {"America/Whitehorse", "America/Dawson",        "America/Edmonton",
                                             "America/Inuvik",     "America/Cambridge_Bay", "America/Rankin_Inlet",
                                             "America/Resolute",   "America/Iqaluit",       "America/Atikokan"};

// Caribbean and Pacific members of the NANP.
constexpr std::string_view kNassau[] = {"America/Nassau"};
constexpr std::string_view kBarbados[] = {"America/Barbados"};
constexpr std::string_view kAnguilla[] = {"America/Anguilla"};
constexpr std::string_view kAntigua[] = {"America/Antigua"};
constexpr std::string_view kTortola[] = {"America/Tortola"};
constexpr std::string_view kStThomas[] = {"America/St_Thomas"};
constexpr std::string_view kCayman[] = {"America/Cayman"};
constexpr std::string_view kBermuda[] = {"Atlantic/Bermuda"};
constexpr std::string_view kGrenada[] = {"America/Grenada"};
constexpr std::string_view kGrandTurk[] = {"America/Grand_Turk"};
constexpr std::string_view kJamaica[] = {"America/Jamaica"};
constexpr std::string_view kMontserrat[] = {"America/Montserrat"};
constexpr std::string_view kSaipan[] = {"Pacific/Saipan"};
constexpr std::string_view kGuam[] = {"Pacific/Guam"};
constexpr std::string_view kPagoPago[] = {"Pacific/Pago_Pago"};
constexpr std::string_view kLowerPrinces[] = {"America/Lower_Princes"};
constexpr std::string_view kStLucia[] = {"America/St_Lucia"};
constexpr std::string_view kDominica[] = {"America/Dominica"};
constexpr std::string_view kStVincent[] = {"America/St_Vincent"};
constexpr std::string_view kPuertoRico[] = {"America/Puerto_Rico"};
constexpr std::string_view kSantoDomingo[] = {"America/Santo_Domingo"};
constexpr std::string_view kPortOfSpain[] = {"America/Port_of_Spain"};
constexpr std::string_view kStKitts[] = {"America/St_Kitts"};

struct AreaCode {
  int code;
  std::span<const std::string_view> zones;
  // ISO 3166-2 for the US and Canada, else the ISO 3166-1 country; US territories with their own
  // ISO 3166-1 code (PR, GU, VI, MP, AS) use it, as libphonenumber does.
  std::string_view region;
};

// Sorted by code (checked below). Comments say where the code is used.
constexpr AreaCode kAreaCodes[] = {
    {201, kNewYork, "US-NJ"},                // NJ
    {202, kNewYork, "US-DC"},                // DC
    {203, kNewYork, "US-CT"},                // CT
    {204, kWinnipeg, "CA-MB"},               // MB
    {205, kChicago, "US-AL"},                // AL: Birmingham, Tuscaloosa
    {206, kLosAngeles, "US-WA"},             // WA
    {207, kNewYork, "US-ME"},                // ME
    {208, kIdaho, "US-ID"},                  // ID
    {209, kLosAngeles, "US-CA"},             // CA: Stockton
    {210, kChicago, "US-TX"},                // TX: San Antonio
    {212, kNewYork, "US-NY"},                // NY: Manhattan
    {213, kLosAngeles, "US-CA"},             // CA: Los Angeles
    {214, kChicago, "US-TX"},                // TX: Dallas
    {215, kNewYork, "US-PA"},                // PA
    {216, kNewYork, "US-OH"},                // OH
    {217, kChicago, "US-IL"},                // IL: Springfield
    {218, kChicago, "US-MN"},                // MN
    {219, kIndianaNorthwest, "US-IN"},       // IN: northwest, Gary, Valparaiso
    {220, kNewYork, "US-OH"},                // OH
    {223, kNewYork, "US-PA"},                // PA
    {224, kChicago, "US-IL"},                // IL: northern Chicago suburbs
    {225, kChicago, "US-LA"},                // LA
    {226, kToronto, "CA-ON"},                // ON: southwestern ON
    {227, kNewYork, "US-MD"},                // MD
    {228, kChicago, "US-MS"},                // MS
    {229, kNewYork, "US-GA"},                // GA
    {231, kDetroit, "US-MI"},                // MI
    {234, kNewYork, "US-OH"},                // OH
    {235, kChicago, "US-MO"},                // MO
    {236, kBritishColumbia, "CA-BC"},        // BC: all of BC, over 250 and 604
    {239, kNewYork, "US-FL"},                // FL: Fort Myers
    {240, kNewYork, "US-MD"},                // MD
    {242, kNassau, "BS"},                    // Bahamas
    {246, kBarbados, "BB"},                  // Barbados
    {248, kDetroit, "US-MI"},                // MI
    {249, kToronto, "CA-ON"},                // ON: northeastern ON
    {250, kBritishColumbia, "CA-BC"},        // BC: outside the Lower Mainland
    {251, kChicago, "US-AL"},                // AL: Mobile
    {252, kNewYork, "US-NC"},                // NC
    {253, kLosAngeles, "US-WA"},             // WA
    {254, kChicago, "US-TX"},                // TX: Waco
    {256, kChicago, "US-AL"},                // AL: Huntsville
    {257, kBritishColumbia, "CA-BC"},        // BC: all of BC, over 250 and 604
    {260, kIndianapolis, "US-IN"},           // IN: Fort Wayne
    {262, kChicago, "US-WI"},                // WI
    {263, kToronto, "CA-QC"},                // QC: Montreal
    {264, kAnguilla, "AI"},                  // Anguilla
    {267, kNewYork, "US-PA"},                // PA
    {268, kAntigua, "AG"},                   // Antigua and Barbuda
    {269, kDetroit, "US-MI"},                // MI
    {270, kKentuckyWest, "US-KY"},           // KY: west, Bowling Green, Paducah
    {272, kNewYork, "US-PA"},                // PA
    {274, kChicago, "US-WI"},                // WI
    {276, kNewYork, "US-VA"},                // VA
    {279, kLosAngeles, "US-CA"},             // CA: Sacramento
    {281, kChicago, "US-TX"},                // TX: Houston
    {283, kNewYork, "US-OH"},                // OH
    {284, kTortola, "VG"},                   // British Virgin Islands
    {289, kToronto, "CA-ON"},                // ON: Toronto suburbs
    {301, kNewYork, "US-MD"},                // MD
    {302, kNewYork, "US-DE"},                // DE
    {303, kDenver, "US-CO"},                 // CO: Denver
    {304, kNewYork, "US-WV"},                // WV
    {305, kNewYork, "US-FL"},                // FL: Miami
    {306, kSaskatchewan, "CA-SK"},           // SK
    {307, kDenver, "US-WY"},                 // WY
    {308, kCentralMountain, "US-NE"},        // NE: west, Grand Island, Scottsbluff
    {309, kChicago, "US-IL"},                // IL: Peoria
    {310, kLosAngeles, "US-CA"},             // CA: West Los Angeles
    {312, kChicago, "US-IL"},                // IL: Chicago
    {313, kDetroit, "US-MI"},                // MI
    {314, kChicago, "US-MO"},                // MO
    {315, kNewYork, "US-NY"},                // NY: Syracuse
    {316, kChicago, "US-KS"},                // KS: Wichita
    {317, kIndianapolis, "US-IN"},           // IN: Indianapolis
    {318, kChicago, "US-LA"},                // LA
    {319, kChicago, "US-IA"},                // IA
    {320, kChicago, "US-MN"},                // MN
    {321, kNewYork, "US-FL"},                // FL: Orlando
    {323, kLosAngeles, "US-CA"},             // CA: Los Angeles
    {324, kNewYork, "US-FL"},                // FL: Jacksonville
    {325, kChicago, "US-TX"},                // TX: Abilene
    {326, kNewYork, "US-OH"},                // OH
    {327, kChicago, "US-AR"},                // AR
    {329, kNewYork, "US-NY"},                // NY: Hudson Valley
    {330, kNewYork, "US-OH"},                // OH
    {331, kChicago, "US-IL"},                // IL: western Chicago suburbs
    {332, kNewYork, "US-NY"},                // NY: Manhattan
    {334, kAlabamaSoutheast, "US-AL"},       // AL: Montgomery, Dothan, Phenix City
    {336, kNewYork, "US-NC"},                // NC
    {337, kChicago, "US-LA"},                // LA
    {339, kNewYork, "US-MA"},                // MA
    {340, kStThomas, "VI"},                  // US: Virgin Islands
    {341, kLosAngeles, "US-CA"},             // CA: Oakland
    {343, kToronto, "CA-ON"},                // ON: Ottawa
    {345, kCayman, "KY"},                    // Cayman Islands
    {346, kChicago, "US-TX"},                // TX: Houston
    {347, kNewYork, "US-NY"},                // NY: outer boroughs
    {350, kLosAngeles, "US-CA"},             // CA: Stockton
    {351, kNewYork, "US-MA"},                // MA
    {352, kNewYork, "US-FL"},                // FL: Gainesville
    {353, kChicago, "US-WI"},                // WI
    {354, kToronto, "CA-QC"},                // QC: Montreal suburbs
    {357, kLosAngeles, "US-CA"},             // CA: Fresno
    {360, kLosAngeles, "US-WA"},             // WA
    {361, kChicago, "US-TX"},                // TX: Corpus Christi
    {363, kNewYork, "US-NY"},                // NY: Nassau County
    {364, kKentuckyWest, "US-KY"},           // KY: west, Bowling Green, Paducah
    {365, kToronto, "CA-ON"},                // ON: Toronto suburbs
    {367, kQuebecEast, "CA-QC"},             // QC: east, Quebec City, Gaspe
    {368, kEdmonton, "CA-AB"},               // AB
    {369, kLosAngeles, "US-CA"},             // CA: Santa Rosa
    {380, kNewYork, "US-OH"},                // OH
    {382, kToronto, "CA-ON"},                // ON: southwestern ON
    {385, kDenver, "US-UT"},                 // UT
    {386, kNewYork, "US-FL"},                // FL: Daytona Beach
    {401, kNewYork, "US-RI"},                // RI
    {402, kChicago, "US-NE"},                // NE: eastern NE
    {403, kEdmonton, "CA-AB"},               // AB
    {404, kNewYork, "US-GA"},                // GA
    {405, kChicago, "US-OK"},                // OK
    {406, kDenver, "US-MT"},                 // MT
    {407, kNewYork, "US-FL"},                // FL: Orlando
    {408, kLosAngeles, "US-CA"},             // CA: San Jose
    {409, kChicago, "US-TX"},                // TX: Beaumont
    {410, kNewYork, "US-MD"},                // MD
    {412, kNewYork, "US-PA"},                // PA
    {413, kNewYork, "US-MA"},                // MA
    {414, kChicago, "US-WI"},                // WI
    {415, kLosAngeles, "US-CA"},             // CA: San Francisco
    {416, kToronto, "CA-ON"},                // ON: Toronto
    {417, kChicago, "US-MO"},                // MO
    {418, kQuebecEast, "CA-QC"},             // QC: east, Quebec City, Gaspe
    {419, kNewYork, "US-OH"},                // OH
    {423, kTennesseeEast, "US-TN"},          // TN: east, Chattanooga, Tri-Cities
    {424, kLosAngeles, "US-CA"},             // CA: West Los Angeles
    {425, kLosAngeles, "US-WA"},             // WA
    {428, kMoncton, "CA-NB"},                // NB
    {430, kChicago, "US-TX"},                // TX: Tyler
    {431, kWinnipeg, "CA-MB"},               // MB
    {432, kCentralMountain, "US-TX"},        // TX: west, Midland, Odessa, Van Horn
    {434, kNewYork, "US-VA"},                // VA
    {435, kDenver, "US-UT"},                 // UT
    {436, kNewYork, "US-OH"},                // OH
    {437, kToronto, "CA-ON"},                // ON: Toronto
    {438, kToronto, "CA-QC"},                // QC: Montreal
    {440, kNewYork, "US-OH"},                // OH
    {441, kBermuda, "BM"},                   // Bermuda
    {442, kLosAngeles, "US-CA"},             // CA: Inland Empire, desert
    {443, kNewYork, "US-MD"},                // MD
    {445, kNewYork, "US-PA"},                // PA
    {447, kChicago, "US-IL"},                // IL: Springfield
    {448, kFloridaPanhandle, "US-FL"},       // FL: panhandle, Pensacola, Tallahassee
    {450, kToronto, "CA-QC"},                // QC: Montreal suburbs
    {457, kChicago, "US-LA"},                // LA
    {458, kOregonOutsidePortland, "US-OR"},  // OR: outside Portland, Eugene, Bend, Ontario
    {463, kIndianapolis, "US-IN"},           // IN: Indianapolis
    {464, kChicago, "US-IL"},                // IL: southern Chicago suburbs
    {468, kToronto, "CA-QC"},                // QC: western, northern QC
    {469, kChicago, "US-TX"},                // TX: Dallas
    {470, kNewYork, "US-GA"},                // GA
    {472, kNewYork, "US-NC"},                // NC
    {473, kGrenada, "GD"},                   // Grenada
    {474, kSaskatchewan, "CA-SK"},           // SK
    {475, kNewYork, "US-CT"},                // CT
    {478, kNewYork, "US-GA"},                // GA
    {479, kChicago, "US-AR"},                // AR
    {480, kPhoenix, "US-AZ"},                // AZ: Phoenix area
    {483, kAlabamaSoutheast, "US-AL"},       // AL: Montgomery, Dothan, Phenix City
    {484, kNewYork, "US-PA"},                // PA
    {501, kChicago, "US-AR"},                // AR
    {502, kLouisville, "US-KY"},             // KY: Louisville, Frankfort
    {503, kLosAngeles, "US-OR"},             // OR: Portland
    {504, kChicago, "US-LA"},                // LA
    {505, kDenver, "US-NM"},                 // NM
    {506, kMoncton, "CA-NB"},                // NB
    {507, kChicago, "US-MN"},                // MN
    {508, kNewYork, "US-MA"},                // MA
    {509, kLosAngeles, "US-WA"},             // WA
    {510, kLosAngeles, "US-CA"},             // CA: Oakland
    {512, kChicago, "US-TX"},                // TX: Austin
    {513, kNewYork, "US-OH"},                // OH
    {514, kToronto, "CA-QC"},                // QC: Montreal
    {515, kChicago, "US-IA"},                // IA
    {516, kNewYork, "US-NY"},                // NY: Nassau County
    {517, kDetroit, "US-MI"},                // MI
    {518, kNewYork, "US-NY"},                // NY: Albany
    {519, kToronto, "CA-ON"},                // ON: southwestern ON
    {520, kPhoenix, "US-AZ"},                // AZ: Tucson
    {530, kLosAngeles, "US-CA"},             // CA: Northern California
    {531, kChicago, "US-NE"},                // NE: eastern NE
    {534, kChicago, "US-WI"},                // WI
    {539, kChicago, "US-OK"},                // OK
    {540, kNewYork, "US-VA"},                // VA
    {541, kOregonOutsidePortland, "US-OR"},  // OR: outside Portland, Eugene, Bend, Ontario
    {548, kToronto, "CA-ON"},                // ON: southwestern ON
    {551, kNewYork, "US-NJ"},                // NJ
    {557, kChicago, "US-MO"},                // MO
    {559, kLosAngeles, "US-CA"},             // CA: Fresno
    {561, kNewYork, "US-FL"},                // FL: West Palm Beach
    {562, kLosAngeles, "US-CA"},             // CA: Long Beach
    {563, kChicago, "US-IA"},                // IA
    {564, kLosAngeles, "US-WA"},             // WA
    {567, kNewYork, "US-OH"},                // OH
    {570, kNewYork, "US-PA"},                // PA
    {571, kNewYork, "US-VA"},                // VA
    {572, kChicago, "US-OK"},                // OK
    {573, kChicago, "US-MO"},                // MO
    {574, kIndianaNorth, "US-IN"},           // IN: north, South Bend, Elkhart
    {575, kDenver, "US-NM"},                 // NM
    {579, kToronto, "CA-QC"},                // QC: Montreal suburbs
    {580, kCentralMountain, "US-OK"},        // OK: outside Oklahoma City and Tulsa
    {581, kQuebecEast, "CA-QC"},             // QC: east, Quebec City, Gaspe
    {582, kNewYork, "US-PA"},                // PA
    {584, kWinnipeg, "CA-MB"},               // MB
    {585, kNewYork, "US-NY"},                // NY: Rochester
    {586, kDetroit, "US-MI"},                // MI
    {587, kEdmonton, "CA-AB"},               // AB
    {601, kChicago, "US-MS"},                // MS
    {602, kPhoenix, "US-AZ"},                // AZ: Phoenix area
    {603, kNewYork, "US-NH"},                // NH
    {604, kVancouver, "CA-BC"},              // BC: Lower Mainland
    {605, kCentralMountain, "US-SD"},        // SD
    {606, kKentuckyEast, "US-KY"},           // KY: east, Ashland, Somerset
    {607, kNewYork, "US-NY"},                // NY: Binghamton
    {608, kChicago, "US-WI"},                // WI
    {609, kNewYork, "US-NJ"},                // NJ
    {610, kNewYork, "US-PA"},                // PA
    {612, kChicago, "US-MN"},                // MN
    {613, kToronto, "CA-ON"},                // ON: Ottawa
    {614, kNewYork, "US-OH"},                // OH
    {615, kChicago, "US-TN"},                // TN: Nashville
    {616, kDetroit, "US-MI"},                // MI
    {617, kNewYork, "US-MA"},                // MA
    {618, kChicago, "US-IL"},                // IL: southern IL
    {619, kLosAngeles, "US-CA"},             // CA: San Diego
    {620, kCentralMountain, "US-KS"},        // KS: outside Wichita and Kansas City
    {623, kPhoenix, "US-AZ"},                // AZ: Phoenix area
    {624, kNewYork, "US-NY"},                // NY: Buffalo
    {626, kLosAngeles, "US-CA"},             // CA: Pasadena
    {628, kLosAngeles, "US-CA"},             // CA: San Francisco
    {629, kChicago, "US-TN"},                // TN: Nashville
    {630, kChicago, "US-IL"},                // IL: western Chicago suburbs
    {631, kNewYork, "US-NY"},                // NY: Suffolk County
    {636, kChicago, "US-MO"},                // MO
    {639, kSaskatchewan, "CA-SK"},           // SK
    {640, kNewYork, "US-NJ"},                // NJ
    {641, kChicago, "US-IA"},                // IA
    {645, kNewYork, "US-FL"},                // FL: Miami
    {646, kNewYork, "US-NY"},                // NY: Manhattan
    {647, kToronto, "CA-ON"},                // ON: Toronto
    {649, kGrandTurk, "TC"},                 // Turks and Caicos
    {650, kLosAngeles, "US-CA"},             // CA: San Mateo
    {651, kChicago, "US-MN"},                // MN
    {656, kNewYork, "US-FL"},                // FL: Tampa
    {657, kLosAngeles, "US-CA"},             // CA: Orange County
    {658, kJamaica, "JM"},                   // Jamaica
    {659, kChicago, "US-AL"},                // AL: Birmingham, Tuscaloosa
    {660, kChicago, "US-MO"},                // MO
    {661, kLosAngeles, "US-CA"},             // CA: Bakersfield
    {662, kChicago, "US-MS"},                // MS
    {664, kMontserrat, "MS"},                // Montserrat
    {667, kNewYork, "US-MD"},                // MD
    {669, kLosAngeles, "US-CA"},             // CA: San Jose
    {670, kSaipan, "MP"},                    // Northern Mariana Islands
    {671, kGuam, "GU"},                      // Guam
    {672, kBritishColumbia, "CA-BC"},        // BC: all of BC, over 250 and 604
    {678, kNewYork, "US-GA"},                // GA
    {679, kDetroit, "US-MI"},                // MI
    {680, kNewYork, "US-NY"},                // NY: Syracuse
    {681, kNewYork, "US-WV"},                // WV
    {682, kChicago, "US-TX"},                // TX: Fort Worth
    {683, kToronto, "CA-ON"},                // ON: northeastern ON
    {684, kPagoPago, "AS"},                  // American Samoa
    {686, kNewYork, "US-VA"},                // VA
    {689, kNewYork, "US-FL"},                // FL: Orlando
    {701, kNorthDakota, "US-ND"},            // ND
    {702, kLosAngeles, "US-NV"},             // NV: Las Vegas
    {703, kNewYork, "US-VA"},                // VA
    {704, kNewYork, "US-NC"},                // NC
    {705, kToronto, "CA-ON"},                // ON: northeastern ON
    {706, kNewYork, "US-GA"},                // GA
    {707, kLosAngeles, "US-CA"},             // CA: Santa Rosa
    {708, kChicago, "US-IL"},                // IL: southern Chicago suburbs
    {709, kNewfoundland, "CA-NL"},           // NL
    {712, kChicago, "US-IA"},                // IA
    {713, kChicago, "US-TX"},                // TX: Houston
    {714, kLosAngeles, "US-CA"},             // CA: Orange County
    {715, kChicago, "US-WI"},                // WI
    {716, kNewYork, "US-NY"},                // NY: Buffalo
    {717, kNewYork, "US-PA"},                // PA
    {718, kNewYork, "US-NY"},                // NY: outer boroughs
    {719, kDenver, "US-CO"},                 // CO: Colorado Springs
    {720, kDenver, "US-CO"},                 // CO: Denver
    {721, kLowerPrinces, "SX"},              // Sint Maarten
    {724, kNewYork, "US-PA"},                // PA
    {725, kLosAngeles, "US-NV"},             // NV: Las Vegas
    {726, kChicago, "US-TX"},                // TX: San Antonio
    {727, kNewYork, "US-FL"},                // FL: St. Petersburg
    {728, kNewYork, "US-FL"},                // FL: West Palm Beach
    {729, kTennesseeEast, "US-TN"},          // TN: east, Chattanooga, Tri-Cities
    {730, kChicago, "US-IL"},                // IL: southern IL
    {731, kChicago, "US-TN"},                // TN: Jackson
    {732, kNewYork, "US-NJ"},                // NJ
    {734, kDetroit, "US-MI"},                // MI
    {737, kChicago, "US-TX"},                // TX: Austin
    {738, kLosAngeles, "US-CA"},             // CA: Los Angeles
    {740, kNewYork, "US-OH"},                // OH
    {742, kToronto, "CA-ON"},                // ON: Toronto suburbs
    {743, kNewYork, "US-NC"},                // NC
    {747, kLosAngeles, "US-CA"},             // CA: San Fernando Valley
    {748, kDenver, "US-CO"},                 // CO: northern, western CO
    {753, kToronto, "CA-ON"},                // ON: Ottawa
    {754, kNewYork, "US-FL"},                // FL: Fort Lauderdale
    {757, kNewYork, "US-VA"},                // VA
    {758, kStLucia, "LC"},                   // Saint Lucia
    {760, kLosAngeles, "US-CA"},             // CA: Inland Empire, desert
    {762, kNewYork, "US-GA"},                // GA
    {763, kChicago, "US-MN"},                // MN
    {765, kIndianapolis, "US-IN"},           // IN: central IN
    {767, kDominica, "DM"},                  // Dominica
    {769, kChicago, "US-MS"},                // MS
    {770, kNewYork, "US-GA"},                // GA
    {771, kNewYork, "US-DC"},                // DC
    {772, kNewYork, "US-FL"},                // FL: Port St. Lucie
    {773, kChicago, "US-IL"},                // IL: Chicago
    {774, kNewYork, "US-MA"},                // MA
    {775, kNevadaOutsideLasVegas, "US-NV"},  // NV: outside Las Vegas, Reno, Elko
    {778, kBritishColumbia, "CA-BC"},        // BC: all of BC, over 250 and 604
    {779, kChicago, "US-IL"},                // IL: Rockford, Joliet
    {780, kEdmonton, "CA-AB"},               // AB
    {781, kNewYork, "US-MA"},                // MA
    {782, kNovaScotia, "CA-NS"},             // NS, PE; most subscribers are in NS
    {784, kStVincent, "VC"},                 // Saint Vincent and the Grenadines
    {785, kCentralMountain, "US-KS"},        // KS: outside Wichita and Kansas City
    {786, kNewYork, "US-FL"},                // FL: Miami
    {787, kPuertoRico, "PR"},                // Puerto Rico
    {801, kDenver, "US-UT"},                 // UT
    {802, kNewYork, "US-VT"},                // VT
    {803, kNewYork, "US-SC"},                // SC
    {804, kNewYork, "US-VA"},                // VA
    {805, kLosAngeles, "US-CA"},             // CA: Santa Barbara
    {806, kChicago, "US-TX"},                // TX: Lubbock, Amarillo
    {807, kOntarioNorthwest, "CA-ON"},       // ON: northwest, Thunder Bay, Kenora
    {808, kHonolulu, "US-HI"},               // HI
    {809, kSantoDomingo, "DO"},              // Dominican Republic
    {810, kDetroit, "US-MI"},                // MI
    {812, kIndianaSouth, "US-IN"},           // IN: south, Evansville, Bloomington
    {813, kNewYork, "US-FL"},                // FL: Tampa
    {814, kNewYork, "US-PA"},                // PA
    {815, kChicago, "US-IL"},                // IL: Rockford, Joliet
    {816, kChicago, "US-MO"},                // MO
    {817, kChicago, "US-TX"},                // TX: Fort Worth
    {818, kLosAngeles, "US-CA"},             // CA: San Fernando Valley
    {819, kToronto, "CA-QC"},                // QC: western, northern QC
    {820, kLosAngeles, "US-CA"},             // CA: Santa Barbara
    {821, kNewYork, "US-SC"},                // SC
    {825, kEdmonton, "CA-AB"},               // AB
    {826, kNewYork, "US-VA"},                // VA
    {828, kNewYork, "US-NC"},                // NC
    {829, kSantoDomingo, "DO"},              // Dominican Republic
    {830, kChicago, "US-TX"},                // TX: Hill Country
    {831, kLosAngeles, "US-CA"},             // CA: Monterey
    {832, kChicago, "US-TX"},                // TX: Houston
    {835, kNewYork, "US-PA"},                // PA
    {838, kNewYork, "US-NY"},                // NY: Albany
    {839, kNewYork, "US-SC"},                // SC
    {840, kLosAngeles, "US-CA"},             // CA: San Bernardino
    {843, kNewYork, "US-SC"},                // SC
    {845, kNewYork, "US-NY"},                // NY: Hudson Valley
    {847, kChicago, "US-IL"},                // IL: northern Chicago suburbs
    {848, kNewYork, "US-NJ"},                // NJ
    {849, kSantoDomingo, "DO"},              // Dominican Republic
    {850, kFloridaPanhandle, "US-FL"},       // FL: panhandle, Pensacola, Tallahassee
    {854, kNewYork, "US-SC"},                // SC
    {856, kNewYork, "US-NJ"},                // NJ
    {857, kNewYork, "US-MA"},                // MA
    {858, kLosAngeles, "US-CA"},             // CA: San Diego
    {859, kNewYork, "US-KY"},                // KY: Lexington
    {860, kNewYork, "US-CT"},                // CT
    {861, kChicago, "US-IL"},                // IL: Peoria
    {862, kNewYork, "US-NJ"},                // NJ
    {863, kNewYork, "US-FL"},                // FL: Lakeland
    {864, kNewYork, "US-SC"},                // SC
    {865, kNewYork, "US-TN"},                // TN: Knoxville
    {867, kTerritories, "CA-YT"},            // YT, NT, NU; see docs/NANP_TIMEZONES.md
    {868, kPortOfSpain, "TT"},               // Trinidad and Tobago
    {869, kStKitts, "KN"},                   // Saint Kitts and Nevis
    {870, kChicago, "US-AR"},                // AR
    {872, kChicago, "US-IL"},                // IL: Chicago
    {873, kToronto, "CA-QC"},                // QC: western, northern QC
    {876, kJamaica, "JM"},                   // Jamaica
    {878, kNewYork, "US-PA"},                // PA
    {879, kNewfoundland, "CA-NL"},           // NL
    {901, kChicago, "US-TN"},                // TN: Memphis
    {902, kNovaScotia, "CA-NS"},             // NS, PE; most subscribers are in NS
    {903, kChicago, "US-TX"},                // TX: Tyler
    {904, kNewYork, "US-FL"},                // FL: Jacksonville
    {905, kToronto, "CA-ON"},                // ON: Toronto suburbs
    {906, kUpperPeninsula, "US-MI"},         // MI: Upper Peninsula
    {907, kAlaska, "US-AK"},                 // AK
    {908, kNewYork, "US-NJ"},                // NJ
    {909, kLosAngeles, "US-CA"},             // CA: San Bernardino
    {910, kNewYork, "US-NC"},                // NC
    {912, kNewYork, "US-GA"},                // GA
    {913, kChicago, "US-KS"},                // KS: Kansas City
    {914, kNewYork, "US-NY"},                // NY: Westchester
    {915, kDenver, "US-TX"},                 // TX: El Paso, Hudspeth County
    {916, kLosAngeles, "US-CA"},             // CA: Sacramento
    {917, kNewYork, "US-NY"},                // NY: Manhattan
    {918, kChicago, "US-OK"},                // OK
    {919, kNewYork, "US-NC"},                // NC
    {920, kChicago, "US-WI"},                // WI
    {924, kChicago, "US-MN"},                // MN
    {925, kLosAngeles, "US-CA"},             // CA: Contra Costa
    {928, kArizonaNorth, "US-AZ"},           // AZ: north and west, Flagstaff, Yuma, the Navajo Nation
    {929, kNewYork, "US-NY"},                // NY: outer boroughs
    {930, kIndianaSouth, "US-IN"},           // IN: south, Evansville, Bloomington
    {931, kTennesseeMiddle, "US-TN"},        // TN: middle, Clarksville, Crossville
    {934, kNewYork, "US-NY"},                // NY: Suffolk County
    {936, kChicago, "US-TX"},                // TX: Conroe
    {937, kNewYork, "US-OH"},                // OH
    {938, kChicago, "US-AL"},                // AL: Huntsville
    {939, kPuertoRico, "PR"},                // Puerto Rico
    {940, kChicago, "US-TX"},                // TX: Denton
    {941, kNewYork, "US-FL"},                // FL: Sarasota
    {942, kToronto, "CA-ON"},                // ON: Toronto
    {943, kNewYork, "US-GA"},                // GA
    {945, kChicago, "US-TX"},                // TX: Dallas
    {947, kDetroit, "US-MI"},                // MI
    {948, kNewYork, "US-VA"},                // VA
    {949, kLosAngeles, "US-CA"},             // CA: Irvine
    {951, kLosAngeles, "US-CA"},             // CA: Riverside
    {952, kChicago, "US-MN"},                // MN
    {954, kNewYork, "US-FL"},                // FL: Fort Lauderdale
    {956, kChicago, "US-TX"},                // TX: Laredo
    {959, kNewYork, "US-CT"},                // CT
    {970, kDenver, "US-CO"},                 // CO: northern, western CO
    {971, kLosAngeles, "US-OR"},             // OR: Portland
    {972, kChicago, "US-TX"},                // TX: Dallas
    {973, kNewYork, "US-NJ"},                // NJ
    {975, kChicago, "US-MO"},                // MO
    {978, kNewYork, "US-MA"},                // MA
    {979, kChicago, "US-TX"},                // TX: Bryan
    {980, kNewYork, "US-NC"},                // NC
    {983, kDenver, "US-CO"},                 // CO: Denver
    {984, kNewYork, "US-NC"},                // NC
    {985, kChicago, "US-LA"},                // LA
    {986, kIdaho, "US-ID"},                  // ID
    {989, kDetroit, "US-MI"},                // MI
};

constexpr bool sorted_without_duplicates() {
  for (std::size_t i = 1; i < std::size(kAreaCodes); ++i) {
    if (kAreaCodes[i - 1].code >= kAreaCodes[i].code) return false;
  }
  return true;
}
static_assert(sorted_without_duplicates(), "kAreaCodes must be sorted by code, each code once");

constexpr bool is_upper_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// "XX" or "XX-YY": config keys regions by these strings, so a typo would silently match nothing.
constexpr bool well_formed(std::string_view region) {
  if (region.size() != 2 && region.size() != 5) return false;
  if (region.size() == 5 && region[2] != '-') return false;
  for (std::size_t i = 0; i < region.size(); ++i) {
    if (i != 2 && !is_upper_alnum(region[i])) return false;
  }
  return true;
}

constexpr bool every_code_has_zones_and_a_region() {
  for (const AreaCode& area_code : kAreaCodes) {
    if (area_code.zones.empty() || !well_formed(area_code.region)) return false;
  }
  return true;
}
static_assert(every_code_has_zones_and_a_region(),
              "each kAreaCodes entry needs zones and an \"XX\" or \"XX-YY\" region");

const AreaCode* find(int area_code) {
  const auto* it = std::ranges::lower_bound(kAreaCodes, area_code, {}, &AreaCode::code);
  if (it == std::end(kAreaCodes) || it->code != area_code) return nullptr;
  return it;
}

}  // namespace

std::span<const std::string_view> nanp_zones(int area_code) {
  const AreaCode* found = find(area_code);
  return found ? found->zones : std::span<const std::string_view>{};
}

std::string_view nanp_region(int area_code) {
  const AreaCode* found = find(area_code);
  return found ? found->region : std::string_view{};
}

}  // namespace dialerd::schedule
