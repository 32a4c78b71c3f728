# Builds the web dashboard (web/: TypeScript + uPlot, bundled by esbuild) and
# embeds its files into the binary, so plugwatch stays one file.
#
# include()d, it defines
#   plugwatch_dashboard(<out_var>)
# a build step that
#   1. runs `npm ci` in web/ only when web/node_modules is missing or was
#      installed from another web/package-lock.json (a hash of the lock file
#      is kept in node_modules; after the first install the build needs no
#      network),
#   2. type-checks the sources (tsc --noEmit) and bundles them with esbuild
#      into <current binary dir>/dashboard/ (index.html, app.js, app.css,
#      favicon.svg),
#   3. embeds those files with plugwatch_embed_files(NAME DashboardAssets)
#      (cmake/embed_files.cmake; accessor in plugwatch/core/embedded_file.h),
# rerun whenever a file under web/ changes. <out_var> receives the generated
# .cc for a target's SOURCES.
#
# Run with `cmake -DWEB=<web dir> [-DNPM=<npm>] -P cmake/dashboard.cmake`, this
# same file does step 1 alone (used by `make browser`, whose tests load
# playwright-core from web/node_modules).

if(NOT CMAKE_SCRIPT_MODE_FILE)
  set(_PLUGWATCH_DASHBOARD_SCRIPT "${CMAKE_CURRENT_LIST_FILE}")
  include("${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake")

  function(plugwatch_dashboard out_var)
    find_program(PLUGWATCH_NODE NAMES node nodejs)
    find_program(PLUGWATCH_NPM npm)
    if(NOT PLUGWATCH_NODE OR NOT PLUGWATCH_NPM)
      message(FATAL_ERROR
              "node and npm are needed to build the dashboard (web/) — run scripts/deps.sh "
              "(it installs Debian's nodejs and npm when they are missing)")
    endif()
    set(web "${PROJECT_SOURCE_DIR}/web")
    set(out "${CMAKE_CURRENT_BINARY_DIR}/dashboard")
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${web}/src/*")
    set(files "${out}/index.html" "${out}/app.js" "${out}/app.css" "${out}/favicon.svg")
    add_custom_command(
      OUTPUT ${files}
      COMMAND "${CMAKE_COMMAND}" "-DWEB=${web}" "-DNPM=${PLUGWATCH_NPM}"
              -P "${_PLUGWATCH_DASHBOARD_SCRIPT}"
      COMMAND "${PLUGWATCH_NODE}" "${web}/node_modules/typescript/bin/tsc" --noEmit -p "${web}"
      COMMAND "${PLUGWATCH_NODE}" "${web}/build.mjs" "${out}"
      DEPENDS ${sources} "${web}/index.html" "${web}/favicon.svg" "${web}/build.mjs"
              "${web}/tsconfig.json" "${web}/package.json" "${web}/package-lock.json"
              "${_PLUGWATCH_DASHBOARD_SCRIPT}"
      WORKING_DIRECTORY "${web}"
      COMMENT "Building the dashboard (web/)"
      VERBATIM)
    plugwatch_embed_files(embedded NAME DashboardAssets FILES ${files})
    set(${out_var} "${embedded}" PARENT_SCOPE)
  endfunction()
  return()
endif()

# --- script mode: npm ci when needed ---
if(NOT NPM)
  set(NPM npm)
endif()
set(lock "${WEB}/package-lock.json")
set(marker "${WEB}/node_modules/.plugwatch-package-lock.sha256")
# Several build directories share web/node_modules: one npm ci at a time.
file(LOCK "${WEB}/.npm-ci.lock" GUARD PROCESS TIMEOUT 900)
file(SHA256 "${lock}" want)
if(EXISTS "${marker}")
  file(READ "${marker}" have)
  if(have STREQUAL want)
    return()
  endif()
endif()
message(STATUS "npm ci in ${WEB} (node_modules missing or from another package-lock.json)")
execute_process(
  COMMAND "${NPM}" ci --no-audit --no-fund
  WORKING_DIRECTORY "${WEB}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR
          "npm ci in ${WEB} failed (exit ${rc}) — the first build needs the npm registry; "
          "run `npm ci` in web/ to see why")
endif()
file(WRITE "${marker}" "${want}")
