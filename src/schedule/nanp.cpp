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
};

// Sorted by code (checked below). Comments say where the code is used.
constexpr AreaCode kAreaCodes[] = {
    {201, kNewYork},                // NJ
    {202, kNewYork},                // DC
    {203, kNewYork},                // CT
    {204, kWinnipeg},               // MB
    {205, kChicago},                // AL: Birmingham, Tuscaloosa
    {206, kLosAngeles},             // WA
    {207, kNewYork},                // ME
    {208, kIdaho},                  // ID
    {209, kLosAngeles},             // CA: Stockton
    {210, kChicago},                // TX: San Antonio
    {212, kNewYork},                // NY: Manhattan
    {213, kLosAngeles},             // CA: Los Angeles
    {214, kChicago},                // TX: Dallas
    {215, kNewYork},                // PA
    {216, kNewYork},                // OH
    {217, kChicago},                // IL: Springfield
    {218, kChicago},                // MN
    {219, kIndianaNorthwest},       // IN: northwest, Gary, Valparaiso
    {220, kNewYork},                // OH
    {223, kNewYork},                // PA
    {224, kChicago},                // IL: northern Chicago suburbs
    {225, kChicago},                // LA
    {226, kToronto},                // ON: southwestern ON
    {227, kNewYork},                // MD
    {228, kChicago},                // MS
    {229, kNewYork},                // GA
    {231, kDetroit},                // MI
    {234, kNewYork},                // OH
    {235, kChicago},                // MO
    {236, kBritishColumbia},        // BC: all of BC, over 250 and 604
    {239, kNewYork},                // FL: Fort Myers
    {240, kNewYork},                // MD
    {242, kNassau},                 // Bahamas
    {246, kBarbados},               // Barbados
    {248, kDetroit},                // MI
    {249, kToronto},                // ON: northeastern ON
    {250, kBritishColumbia},        // BC: outside the Lower Mainland
    {251, kChicago},                // AL: Mobile
    {252, kNewYork},                // NC
    {253, kLosAngeles},             // WA
    {254, kChicago},                // TX: Waco
    {256, kChicago},                // AL: Huntsville
    {257, kBritishColumbia},        // BC: all of BC, over 250 and 604
    {260, kIndianapolis},           // IN: Fort Wayne
    {262, kChicago},                // WI
    {263, kToronto},                // QC: Montreal
    {264, kAnguilla},               // Anguilla
    {267, kNewYork},                // PA
    {268, kAntigua},                // Antigua and Barbuda
    {269, kDetroit},                // MI
    {270, kKentuckyWest},           // KY: west, Bowling Green, Paducah
    {272, kNewYork},                // PA
    {274, kChicago},                // WI
    {276, kNewYork},                // VA
    {279, kLosAngeles},             // CA: Sacramento
    {281, kChicago},                // TX: Houston
    {283, kNewYork},                // OH
    {284, kTortola},                // British Virgin Islands
    {289, kToronto},                // ON: Toronto suburbs
    {301, kNewYork},                // MD
    {302, kNewYork},                // DE
    {303, kDenver},                 // CO: Denver
    {304, kNewYork},                // WV
    {305, kNewYork},                // FL: Miami
    {306, kSaskatchewan},           // SK
    {307, kDenver},                 // WY
    {308, kCentralMountain},        // NE: west, Grand Island, Scottsbluff
    {309, kChicago},                // IL: Peoria
    {310, kLosAngeles},             // CA: West Los Angeles
    {312, kChicago},                // IL: Chicago
    {313, kDetroit},                // MI
    {314, kChicago},                // MO
    {315, kNewYork},                // NY: Syracuse
    {316, kChicago},                // KS: Wichita
    {317, kIndianapolis},           // IN: Indianapolis
    {318, kChicago},                // LA
    {319, kChicago},                // IA
    {320, kChicago},                // MN
    {321, kNewYork},                // FL: Orlando
    {323, kLosAngeles},             // CA: Los Angeles
    {324, kNewYork},                // FL: Jacksonville
    {325, kChicago},                // TX: Abilene
    {326, kNewYork},                // OH
    {327, kChicago},                // AR
    {329, kNewYork},                // NY: Hudson Valley
    {330, kNewYork},                // OH
    {331, kChicago},                // IL: western Chicago suburbs
    {332, kNewYork},                // NY: Manhattan
    {334, kAlabamaSoutheast},       // AL: Montgomery, Dothan, Phenix City
    {336, kNewYork},                // NC
    {337, kChicago},                // LA
    {339, kNewYork},                // MA
    {340, kStThomas},               // US: Virgin Islands
    {341, kLosAngeles},             // CA: Oakland
    {343, kToronto},                // ON: Ottawa
    {345, kCayman},                 // Cayman Islands
    {346, kChicago},                // TX: Houston
    {347, kNewYork},                // NY: outer boroughs
    {350, kLosAngeles},             // CA: Stockton
    {351, kNewYork},                // MA
    {352, kNewYork},                // FL: Gainesville
    {353, kChicago},                // WI
    {354, kToronto},                // QC: Montreal suburbs
    {357, kLosAngeles},             // CA: Fresno
    {360, kLosAngeles},             // WA
    {361, kChicago},                // TX: Corpus Christi
    {363, kNewYork},                // NY: Nassau County
    {364, kKentuckyWest},           // KY: west, Bowling Green, Paducah
    {365, kToronto},                // ON: Toronto suburbs
    {367, kQuebecEast},             // QC: east, Quebec City, Gaspe
    {368, kEdmonton},               // AB
    {369, kLosAngeles},             // CA: Santa Rosa
    {380, kNewYork},                // OH
    {382, kToronto},                // ON: southwestern ON
    {385, kDenver},                 // UT
    {386, kNewYork},                // FL: Daytona Beach
    {401, kNewYork},                // RI
    {402, kChicago},                // NE: eastern NE
    {403, kEdmonton},               // AB
    {404, kNewYork},                // GA
    {405, kChicago},                // OK
    {406, kDenver},                 // MT
    {407, kNewYork},                // FL: Orlando
    {408, kLosAngeles},             // CA: San Jose
    {409, kChicago},                // TX: Beaumont
    {410, kNewYork},                // MD
    {412, kNewYork},                // PA
    {413, kNewYork},                // MA
    {414, kChicago},                // WI
    {415, kLosAngeles},             // CA: San Francisco
    {416, kToronto},                // ON: Toronto
    {417, kChicago},                // MO
    {418, kQuebecEast},             // QC: east, Quebec City, Gaspe
    {419, kNewYork},                // OH
    {423, kTennesseeEast},          // TN: east, Chattanooga, Tri-Cities
    {424, kLosAngeles},             // CA: West Los Angeles
    {425, kLosAngeles},             // WA
    {428, kMoncton},                // NB
    {430, kChicago},                // TX: Tyler
    {431, kWinnipeg},               // MB
    {432, kCentralMountain},        // TX: west, Midland, Odessa, Van Horn
    {434, kNewYork},                // VA
    {435, kDenver},                 // UT
    {436, kNewYork},                // OH
    {437, kToronto},                // ON: Toronto
    {438, kToronto},                // QC: Montreal
    {440, kNewYork},                // OH
    {441, kBermuda},                // Bermuda
    {442, kLosAngeles},             // CA: Inland Empire, desert
    {443, kNewYork},                // MD
    {445, kNewYork},                // PA
    {447, kChicago},                // IL: Springfield
    {448, kFloridaPanhandle},       // FL: panhandle, Pensacola, Tallahassee
    {450, kToronto},                // QC: Montreal suburbs
    {457, kChicago},                // LA
    {458, kOregonOutsidePortland},  // OR: outside Portland, Eugene, Bend, Ontario
    {463, kIndianapolis},           // IN: Indianapolis
    {464, kChicago},                // IL: southern Chicago suburbs
    {468, kToronto},                // QC: western, northern QC
    {469, kChicago},                // TX: Dallas
    {470, kNewYork},                // GA
    {472, kNewYork},                // NC
    {473, kGrenada},                // Grenada
    {474, kSaskatchewan},           // SK
    {475, kNewYork},                // CT
    {478, kNewYork},                // GA
    {479, kChicago},                // AR
    {480, kPhoenix},                // AZ: Phoenix area
    {483, kAlabamaSoutheast},       // AL: Montgomery, Dothan, Phenix City
    {484, kNewYork},                // PA
    {501, kChicago},                // AR
    {502, kLouisville},             // KY: Louisville, Frankfort
    {503, kLosAngeles},             // OR: Portland
    {504, kChicago},                // LA
    {505, kDenver},                 // NM
    {506, kMoncton},                // NB
    {507, kChicago},                // MN
    {508, kNewYork},                // MA
    {509, kLosAngeles},             // WA
    {510, kLosAngeles},             // CA: Oakland
    {512, kChicago},                // TX: Austin
    {513, kNewYork},                // OH
    {514, kToronto},                // QC: Montreal
    {515, kChicago},                // IA
    {516, kNewYork},                // NY: Nassau County
    {517, kDetroit},                // MI
    {518, kNewYork},                // NY: Albany
    {519, kToronto},                // ON: southwestern ON
    {520, kPhoenix},                // AZ: Tucson
    {530, kLosAngeles},             // CA: Northern California
    {531, kChicago},                // NE: eastern NE
    {534, kChicago},                // WI
    {539, kChicago},                // OK
    {540, kNewYork},                // VA
    {541, kOregonOutsidePortland},  // OR: outside Portland, Eugene, Bend, Ontario
    {548, kToronto},                // ON: southwestern ON
    {551, kNewYork},                // NJ
    {557, kChicago},                // MO
    {559, kLosAngeles},             // CA: Fresno
    {561, kNewYork},                // FL: West Palm Beach
    {562, kLosAngeles},             // CA: Long Beach
    {563, kChicago},                // IA
    {564, kLosAngeles},             // WA
    {567, kNewYork},                // OH
    {570, kNewYork},                // PA
    {571, kNewYork},                // VA
    {572, kChicago},                // OK
    {573, kChicago},                // MO
    {574, kIndianaNorth},           // IN: north, South Bend, Elkhart
    {575, kDenver},                 // NM
    {579, kToronto},                // QC: Montreal suburbs
    {580, kCentralMountain},        // OK: outside Oklahoma City and Tulsa
    {581, kQuebecEast},             // QC: east, Quebec City, Gaspe
    {582, kNewYork},                // PA
    {584, kWinnipeg},               // MB
    {585, kNewYork},                // NY: Rochester
    {586, kDetroit},                // MI
    {587, kEdmonton},               // AB
    {601, kChicago},                // MS
    {602, kPhoenix},                // AZ: Phoenix area
    {603, kNewYork},                // NH
    {604, kVancouver},              // BC: Lower Mainland
    {605, kCentralMountain},        // SD
    {606, kKentuckyEast},           // KY: east, Ashland, Somerset
    {607, kNewYork},                // NY: Binghamton
    {608, kChicago},                // WI
    {609, kNewYork},                // NJ
    {610, kNewYork},                // PA
    {612, kChicago},                // MN
    {613, kToronto},                // ON: Ottawa
    {614, kNewYork},                // OH
    {615, kChicago},                // TN: Nashville
    {616, kDetroit},                // MI
    {617, kNewYork},                // MA
    {618, kChicago},                // IL: southern IL
    {619, kLosAngeles},             // CA: San Diego
    {620, kCentralMountain},        // KS: outside Wichita and Kansas City
    {623, kPhoenix},                // AZ: Phoenix area
    {624, kNewYork},                // NY: Buffalo
    {626, kLosAngeles},             // CA: Pasadena
    {628, kLosAngeles},             // CA: San Francisco
    {629, kChicago},                // TN: Nashville
    {630, kChicago},                // IL: western Chicago suburbs
    {631, kNewYork},                // NY: Suffolk County
    {636, kChicago},                // MO
    {639, kSaskatchewan},           // SK
    {640, kNewYork},                // NJ
    {641, kChicago},                // IA
    {645, kNewYork},                // FL: Miami
    {646, kNewYork},                // NY: Manhattan
    {647, kToronto},                // ON: Toronto
    {649, kGrandTurk},              // Turks and Caicos
    {650, kLosAngeles},             // CA: San Mateo
    {651, kChicago},                // MN
    {656, kNewYork},                // FL: Tampa
    {657, kLosAngeles},             // CA: Orange County
    {658, kJamaica},                // Jamaica
    {659, kChicago},                // AL: Birmingham, Tuscaloosa
    {660, kChicago},                // MO
    {661, kLosAngeles},             // CA: Bakersfield
    {662, kChicago},                // MS
    {664, kMontserrat},             // Montserrat
    {667, kNewYork},                // MD
    {669, kLosAngeles},             // CA: San Jose
    {670, kSaipan},                 // Northern Mariana Islands
    {671, kGuam},                   // Guam
    {672, kBritishColumbia},        // BC: all of BC, over 250 and 604
    {678, kNewYork},                // GA
    {679, kDetroit},                // MI
    {680, kNewYork},                // NY: Syracuse
    {681, kNewYork},                // WV
    {682, kChicago},                // TX: Fort Worth
    {683, kToronto},                // ON: northeastern ON
    {684, kPagoPago},               // American Samoa
    {686, kNewYork},                // VA
    {689, kNewYork},                // FL: Orlando
    {701, kNorthDakota},            // ND
    {702, kLosAngeles},             // NV: Las Vegas
    {703, kNewYork},                // VA
    {704, kNewYork},                // NC
    {705, kToronto},                // ON: northeastern ON
    {706, kNewYork},                // GA
    {707, kLosAngeles},             // CA: Santa Rosa
    {708, kChicago},                // IL: southern Chicago suburbs
    {709, kNewfoundland},           // NL
    {712, kChicago},                // IA
    {713, kChicago},                // TX: Houston
    {714, kLosAngeles},             // CA: Orange County
    {715, kChicago},                // WI
    {716, kNewYork},                // NY: Buffalo
    {717, kNewYork},                // PA
    {718, kNewYork},                // NY: outer boroughs
    {719, kDenver},                 // CO: Colorado Springs
    {720, kDenver},                 // CO: Denver
    {721, kLowerPrinces},           // Sint Maarten
    {724, kNewYork},                // PA
    {725, kLosAngeles},             // NV: Las Vegas
    {726, kChicago},                // TX: San Antonio
    {727, kNewYork},                // FL: St. Petersburg
    {728, kNewYork},                // FL: West Palm Beach
    {729, kTennesseeEast},          // TN: east, Chattanooga, Tri-Cities
    {730, kChicago},                // IL: southern IL
    {731, kChicago},                // TN: Jackson
    {732, kNewYork},                // NJ
    {734, kDetroit},                // MI
    {737, kChicago},                // TX: Austin
    {738, kLosAngeles},             // CA: Los Angeles
    {740, kNewYork},                // OH
    {742, kToronto},                // ON: Toronto suburbs
    {743, kNewYork},                // NC
    {747, kLosAngeles},             // CA: San Fernando Valley
    {748, kDenver},                 // CO: northern, western CO
    {753, kToronto},                // ON: Ottawa
    {754, kNewYork},                // FL: Fort Lauderdale
    {757, kNewYork},                // VA
    {758, kStLucia},                // Saint Lucia
    {760, kLosAngeles},             // CA: Inland Empire, desert
    {762, kNewYork},                // GA
    {763, kChicago},                // MN
    {765, kIndianapolis},           // IN: central IN
    {767, kDominica},               // Dominica
    {769, kChicago},                // MS
    {770, kNewYork},                // GA
    {771, kNewYork},                // DC
    {772, kNewYork},                // FL: Port St. Lucie
    {773, kChicago},                // IL: Chicago
    {774, kNewYork},                // MA
    {775, kNevadaOutsideLasVegas},  // NV: outside Las Vegas, Reno, Elko
    {778, kBritishColumbia},        // BC: all of BC, over 250 and 604
    {779, kChicago},                // IL: Rockford, Joliet
    {780, kEdmonton},               // AB
    {781, kNewYork},                // MA
    {782, kNovaScotia},             // NS, PE
    {784, kStVincent},              // Saint Vincent and the Grenadines
    {785, kCentralMountain},        // KS: outside Wichita and Kansas City
    {786, kNewYork},                // FL: Miami
    {787, kPuertoRico},             // Puerto Rico
    {801, kDenver},                 // UT
    {802, kNewYork},                // VT
    {803, kNewYork},                // SC
    {804, kNewYork},                // VA
    {805, kLosAngeles},             // CA: Santa Barbara
    {806, kChicago},                // TX: Lubbock, Amarillo
    {807, kOntarioNorthwest},       // ON: northwest, Thunder Bay, Kenora
    {808, kHonolulu},               // HI
    {809, kSantoDomingo},           // Dominican Republic
    {810, kDetroit},                // MI
    {812, kIndianaSouth},           // IN: south, Evansville, Bloomington
    {813, kNewYork},                // FL: Tampa
    {814, kNewYork},                // PA
    {815, kChicago},                // IL: Rockford, Joliet
    {816, kChicago},                // MO
    {817, kChicago},                // TX: Fort Worth
    {818, kLosAngeles},             // CA: San Fernando Valley
    {819, kToronto},                // QC: western, northern QC
    {820, kLosAngeles},             // CA: Santa Barbara
    {821, kNewYork},                // SC
    {825, kEdmonton},               // AB
    {826, kNewYork},                // VA
    {828, kNewYork},                // NC
    {829, kSantoDomingo},           // Dominican Republic
    {830, kChicago},                // TX: Hill Country
    {831, kLosAngeles},             // CA: Monterey
    {832, kChicago},                // TX: Houston
    {835, kNewYork},                // PA
    {838, kNewYork},                // NY: Albany
    {839, kNewYork},                // SC
    {840, kLosAngeles},             // CA: San Bernardino
    {843, kNewYork},                // SC
    {845, kNewYork},                // NY: Hudson Valley
    {847, kChicago},                // IL: northern Chicago suburbs
    {848, kNewYork},                // NJ
    {849, kSantoDomingo},           // Dominican Republic
    {850, kFloridaPanhandle},       // FL: panhandle, Pensacola, Tallahassee
    {854, kNewYork},                // SC
    {856, kNewYork},                // NJ
    {857, kNewYork},                // MA
    {858, kLosAngeles},             // CA: San Diego
    {859, kNewYork},                // KY: Lexington
    {860, kNewYork},                // CT
    {861, kChicago},                // IL: Peoria
    {862, kNewYork},                // NJ
    {863, kNewYork},                // FL: Lakeland
    {864, kNewYork},                // SC
    {865, kNewYork},                // TN: Knoxville
    {867, kTerritories},            // YT, NT, NU
    {868, kPortOfSpain},            // Trinidad and Tobago
    {869, kStKitts},                // Saint Kitts and Nevis
    {870, kChicago},                // AR
    {872, kChicago},                // IL: Chicago
    {873, kToronto},                // QC: western, northern QC
    {876, kJamaica},                // Jamaica
    {878, kNewYork},                // PA
    {879, kNewfoundland},           // NL
    {901, kChicago},                // TN: Memphis
    {902, kNovaScotia},             // NS, PE
    {903, kChicago},                // TX: Tyler
    {904, kNewYork},                // FL: Jacksonville
    {905, kToronto},                // ON: Toronto suburbs
    {906, kUpperPeninsula},         // MI: Upper Peninsula
    {907, kAlaska},                 // AK
    {908, kNewYork},                // NJ
    {909, kLosAngeles},             // CA: San Bernardino
    {910, kNewYork},                // NC
    {912, kNewYork},                // GA
    {913, kChicago},                // KS: Kansas City
    {914, kNewYork},                // NY: Westchester
    {915, kDenver},                 // TX: El Paso, Hudspeth County
    {916, kLosAngeles},             // CA: Sacramento
    {917, kNewYork},                // NY: Manhattan
    {918, kChicago},                // OK
    {919, kNewYork},                // NC
    {920, kChicago},                // WI
    {924, kChicago},                // MN
    {925, kLosAngeles},             // CA: Contra Costa
    {928, kArizonaNorth},           // AZ: north and west, Flagstaff, Yuma, the Navajo Nation
    {929, kNewYork},                // NY: outer boroughs
    {930, kIndianaSouth},           // IN: south, Evansville, Bloomington
    {931, kTennesseeMiddle},        // TN: middle, Clarksville, Crossville
    {934, kNewYork},                // NY: Suffolk County
    {936, kChicago},                // TX: Conroe
    {937, kNewYork},                // OH
    {938, kChicago},                // AL: Huntsville
    {939, kPuertoRico},             // Puerto Rico
    {940, kChicago},                // TX: Denton
    {941, kNewYork},                // FL: Sarasota
    {942, kToronto},                // ON: Toronto
    {943, kNewYork},                // GA
    {945, kChicago},                // TX: Dallas
    {947, kDetroit},                // MI
    {948, kNewYork},                // VA
    {949, kLosAngeles},             // CA: Irvine
    {951, kLosAngeles},             // CA: Riverside
    {952, kChicago},                // MN
    {954, kNewYork},                // FL: Fort Lauderdale
    {956, kChicago},                // TX: Laredo
    {959, kNewYork},                // CT
    {970, kDenver},                 // CO: northern, western CO
    {971, kLosAngeles},             // OR: Portland
    {972, kChicago},                // TX: Dallas
    {973, kNewYork},                // NJ
    {975, kChicago},                // MO
    {978, kNewYork},                // MA
    {979, kChicago},                // TX: Bryan
    {980, kNewYork},                // NC
    {983, kDenver},                 // CO: Denver
    {984, kNewYork},                // NC
    {985, kChicago},                // LA
    {986, kIdaho},                  // ID
    {989, kDetroit},                // MI
};

constexpr bool sorted_without_duplicates() {
  for (std::size_t i = 1; i < std::size(kAreaCodes); ++i) {
    if (kAreaCodes[i - 1].code >= kAreaCodes[i].code) return false;
  }
  return true;
}
static_assert(sorted_without_duplicates(), "kAreaCodes must be sorted by code, each code once");

}  // namespace

std::span<const std::string_view> nanp_zones(int area_code) {
  const auto* it = std::ranges::lower_bound(kAreaCodes, area_code, {}, &AreaCode::code);
  if (it == std::end(kAreaCodes) || it->code != area_code) return {};
  return it->zones;
}

}  // namespace dialerd::schedule
