# Writes a C++ file holding the text of every simulation test spec, so strata-sim carries
# its tests wherever the binary goes. Run as: cmake -DSPEC_ROOT=... -DOUTPUT=... -P this.
file(GLOB spec_files ${SPEC_ROOT}/fast/*.spec ${SPEC_ROOT}/slow/*.spec)
list(SORT spec_files)
set(body "")
foreach(spec ${spec_files})
  get_filename_component(name ${spec} NAME_WE)
  get_filename_component(directory ${spec} DIRECTORY)
  get_filename_component(suite ${directory} NAME)
  file(READ ${spec} text)
  string(APPEND body "    {\"${name}\", \"${suite}\", R\"spec(${text})spec\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from tests/sim/*/*.spec; do not edit.
#include <tuple>
#include <vector>

namespace strata {

const std::vector<std::tuple<const char*, const char*, const char*>>& builtin_spec_texts() {
  static const std::vector<std::tuple<const char*, const char*, const char*>> specs = {
${body}  };
  return specs;
}

}  // namespace strata
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
