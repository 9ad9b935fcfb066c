# Warnings are errors: a warning left alone today hides the one that matters tomorrow.
add_compile_options(-Wall -Wextra -Werror -Wno-unused-parameter)
