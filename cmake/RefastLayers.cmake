# The layering is enforced by the build (README "Layout"): every layer library is also linked
# alone, whole-archive, with only the libraries it declares. A call from a lower layer into a
# higher one (ref/ calling the registry, support/ calling dispatch...) is then an undefined
# reference and the build fails. A wrong-way #include fails earlier: include directories come only
# with the declared links. tests/layering/ proves both (ctest `layering_*`).
function(refast_layer_check target)
  add_executable(layer_check_${target} ${CMAKE_SOURCE_DIR}/cmake/layer_check_main.c)
  target_link_libraries(layer_check_${target} PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${target}>")
endfunction()
