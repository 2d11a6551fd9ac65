# Where libuino finds ResNet18.onnx (the ImageNet ResNet-18 weights a ResNet-encoder model, such as the embedded
# default, loads when a session is created; docs/c-abi.md). Each case runs test_uino against a copy of the
# installed libuino.so in a folder of its own (the libraries it loads linked beside it), picked through
# LD_LIBRARY_PATH (searched before test_uino's runpath), with the NuGet package folder hidden:
#   beside:   ResNet18.onnx beside the library                              -> the embedded model loads, same weights
#                                                                              and mask as the .NET API
#   variable: nothing around the library, UINO_RESNET18_ONNX names the file -> the same
#   missing:  nothing around the library, no variable                       -> INVALID_MODEL, one line naming the
#                                                                              file, the variable and where it looked
#   wrong:    UINO_RESNET18_ONNX names a file that does not exist           -> INVALID_MODEL naming it
# (The installed layout, <prefix>/share/uino/ResNet18.onnx, is what the c_api test finds.)
#   cmake -DTEST_UINO=<test_uino> -DDATA=<test data> -DLIBDIR=<prefix>/lib -DONNX=<installed ResNet18.onnx>
#         -DWORK=<scratch dir> -P resnet_locations.cmake
foreach(v TEST_UINO DATA LIBDIR ONNX WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "resnet_locations.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${ONNX}")
  message(FATAL_ERROR "the installed package has no ${ONNX}")
endif()

file(REMOVE_RECURSE "${WORK}")
file(GLOB libs RELATIVE "${LIBDIR}" "${LIBDIR}/*.so" "${LIBDIR}/*.so.*")
foreach(dir beside bare)
  file(MAKE_DIRECTORY "${WORK}/${dir}/lib")
  file(COPY_FILE "${LIBDIR}/libuino.so" "${WORK}/${dir}/lib/libuino.so")   # a copy: libuino resolves no link
  foreach(lib IN LISTS libs)
    if(NOT lib STREQUAL "libuino.so")
      file(CREATE_LINK "${LIBDIR}/${lib}" "${WORK}/${dir}/lib/${lib}" SYMBOLIC)
    endif()
  endforeach()
endforeach()
file(CREATE_LINK "${ONNX}" "${WORK}/beside/lib/ResNet18.onnx" SYMBOLIC)

set(failed 0)
function(run_case name dir)   # ARGN: test_uino arguments after the data dir, then ENV and variable settings
  cmake_parse_arguments(PARSE_ARGV 2 C "" "" "ARGS;ENV")
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=UINO_RESNET18_ONNX
                          "LD_LIBRARY_PATH=${WORK}/${dir}/lib" "NUGET_PACKAGES=${WORK}/no-nuget-packages" ${C_ENV}
                          "${TEST_UINO}" "${DATA}" ${C_ARGS}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(STRIP "${out}" out)
  message("-- ${name}:\n${out}")
  if(NOT rc EQUAL 0)
    message("-- ${name}: FAILED (exit ${rc})")
    set(failed 1 PARENT_SCOPE)
  endif()
endfunction()

run_case(beside beside ARGS --default-only)
run_case(variable bare ARGS --default-only ENV "UINO_RESNET18_ONNX=${ONNX}")
run_case(missing bare ARGS --no-resnet-file "ResNet18.onnx not found" "UINO_RESNET18_ONNX" "${WORK}/bare/lib/ResNet18.onnx"
                           "${WORK}/bare/share/uino/ResNet18.onnx")
run_case(wrong bare ARGS --no-resnet-file "UINO_RESNET18_ONNX" "${WORK}/nowhere/ResNet18.onnx"
         ENV "UINO_RESNET18_ONNX=${WORK}/nowhere/ResNet18.onnx")
if(failed)
  message(FATAL_ERROR "resnet_locations: a case failed")
endif()
