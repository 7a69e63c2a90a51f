# dlc_add_model(<target> MODEL <model.onnx> [TARGET <cpu>] [PRECISION fp32|bf16|int8]
#               [SHAPE <input>=<dims>]... [CALIBRATION <table.json>] [NAME <c_name>]
#               [OPTIONS <dlc compile option>...])
#
# Compiles the ONNX model with `dlc compile` when the project builds (again when the model, the
# calibration table or dlc changes) and makes <target> an imported static library of it:
# `target_link_libraries(app PRIVATE <target>)` gives the app NAME.h's directory and the
# library with what it links (libm, the threads library). NAME, the C prefix of the library's
# functions, defaults to <target> made a C identifier. dlc's diagnostics are the build's.
include_guard(GLOBAL)

find_package(Threads REQUIRED)

function(dlc_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;TARGET;PRECISION;CALIBRATION;NAME"
                        "SHAPE;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "dlc_add_model(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "dlc_add_model(${target}): MODEL <model.onnx> is required")
  endif()
  if(TARGET ${target})
    message(FATAL_ERROR "dlc_add_model(${target}): a target named ${target} exists already")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "dlc_add_model(${target}): the model ${model} does not exist")
  endif()
  set(name "${ARG_NAME}")
  if(NOT name)
    string(MAKE_C_IDENTIFIER "${target}" name)
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/dlc/${target}")
  set(args compile "${model}" --name "${name}" -o "${out}")
  set(depends "${model}")
  if(ARG_TARGET)
    list(APPEND args "--target=${ARG_TARGET}")
  endif()
  if(ARG_PRECISION)
    list(APPEND args "--precision=${ARG_PRECISION}")
  endif()
  foreach(shape IN LISTS ARG_SHAPE)
    list(APPEND args --shape "${shape}")
  endforeach()
  if(ARG_CALIBRATION)
    get_filename_component(table "${ARG_CALIBRATION}" ABSOLUTE
                           BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND args --calibration "${table}")
    list(APPEND depends "${table}")
  endif()
  list(APPEND args ${ARG_OPTIONS})

  add_custom_command(
    OUTPUT "${out}/lib${name}.a" "${out}/${name}.h"
    COMMAND dlc::dlc ${args}
    DEPENDS ${depends} dlc::dlc "$<TARGET_FILE:dlc::dlc>"
    COMMENT "dlc: compiling ${ARG_MODEL} into lib${name}.a"
    VERBATIM)
  add_custom_target(${target}_compile DEPENDS "${out}/lib${name}.a" "${out}/${name}.h")

  # The header's directory must exist when CMake checks the target's include directories.
  file(MAKE_DIRECTORY "${out}")
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${out}/lib${name}.a"
    INTERFACE_INCLUDE_DIRECTORIES "${out}"
    INTERFACE_LINK_LIBRARIES "m;Threads::Threads")
  add_dependencies(${target} ${target}_compile)
endfunction()
