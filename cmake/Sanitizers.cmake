# BARGE_SANITIZE=address,undefined builds everything with those sanitizers.
set(BARGE_SANITIZE "" CACHE STRING "Comma-separated sanitizers (address,undefined,thread)")
if(BARGE_SANITIZE)
  add_compile_options(-fsanitize=${BARGE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BARGE_SANITIZE})
endif()
