# Warnings policy: -Wall -Wextra (and -Werror unless REFAST_WERROR=OFF) on every target we own.
function(refast_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow
    $<$<COMPILE_LANGUAGE:C>:-Wmissing-prototypes -Wstrict-prototypes>)
  if(REFAST_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(REFAST_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
