# Writes OUTPUT: a C file holding each of the YAML files INPUTS (a
# ;-separated list) as bytes, with its base name, so the program carries
# its shipped cost profiles and reads them with the same reader as any
# profile file (sim/scenario/cost_profile.c). Run with cmake -P.
set(out "/* Generated from the profiles folder by cmake/embed_profiles.cmake. */\n")
string(APPEND out "#include <stddef.h>\n#include \"cost_profile_builtin.h\"\n")
set(table "")
set(i 0)
foreach(f IN LISTS INPUTS)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR nbytes "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND out "static const unsigned char profile_${i}[] = {${bytes}0};\n")
  string(APPEND table "\t{\"${name}\", (const char *)profile_${i}, ${nbytes}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND out "const struct cost_profile_text cost_profile_texts[] = {\n${table}};\n")
string(APPEND out "const size_t cost_profile_ntexts = ${i};\n")
file(WRITE "${OUTPUT}.tmp" "${out}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
