# Warnings are errors: a warning left alone today hides the one that matters tomorrow.
add_compile_options(-Wall -Wextra -Werror -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 warns about coroutine frames it cannot see through.
  add_compile_options(-Wno-mismatched-new-delete)
endif()
