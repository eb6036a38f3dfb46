# Writes OUT, a C++ source holding every file of FILES (the web console, ui/) as bytes with its name and
# media type, so the binary serves the console with nothing installed beside it (docs/CONSOLE.md).
# Run by src/CMakeLists.txt at build time: cmake -DOUT=... -DFILES=a;b -P embed_assets.cmake
list(SORT FILES)
set(arrays "")
set(table "")
set(i 0)
foreach(f IN LISTS FILES)
  get_filename_component(name "${f}" NAME)
  get_filename_component(ext "${f}" LAST_EXT)
  if(ext STREQUAL ".html")
    set(type "text/html; charset=utf-8")
  elseif(ext STREQUAL ".js")
    set(type "text/javascript; charset=utf-8")
  elseif(ext STREQUAL ".css")
    set(type "text/css; charset=utf-8")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL ".png")
    set(type "image/png")
  else()
    message(FATAL_ERROR "ui/${name}: no media type is known for '${ext}' files (cmake/embed_assets.cmake)")
  endif()
  file(READ "${f}" hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "const unsigned char asset_${i}[] = {${bytes}0x00};\n")
  string(APPEND table "    {\"${name}\", \"${type}\", std::string_view(reinterpret_cast<const char*>(asset_${i}), ${size})},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from ui/ by cmake/embed_assets.cmake: do not edit.
#include \"api/console_assets.hpp\"

namespace dialerd::api {
namespace {
${arrays}
const ConsoleAsset kAssets[] = {
${table}};
}  // namespace

std::span<const ConsoleAsset> console_assets() {
  return kAssets;
}

}  // namespace dialerd::api
")
# Only a changed file is rewritten, so an unchanged console compiles nothing again.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
