# The monitor's eBPF program (src/trace/bpf/exec.bpf.c): compiled with clang
# for the BPF target against the build machine's kernel types (CO-RE: the
# object relocates itself to the running kernel's at load time), and embedded
# in confine as a libbpf skeleton.  CONFINE_BPF=AUTO builds it when all that
# is there; without it trace/exectrace.c says so at run time.
set(BPF_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF the BPF program's types come from")
find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14)
find_program(BPFTOOL bpftool PATHS /usr/sbin /sbin)
find_program(BPF_STRIP NAMES llvm-strip llvm-strip-16 llvm-strip-15 llvm-strip-14)
pkg_check_modules(LIBBPF IMPORTED_TARGET libbpf>=0.8)

set(bpf_missing)
if(NOT BPF_CLANG)
  list(APPEND bpf_missing clang)
endif()
if(NOT BPFTOOL)
  list(APPEND bpf_missing bpftool)
endif()
if(NOT LIBBPF_FOUND)
  list(APPEND bpf_missing libbpf)
endif()
if(NOT EXISTS ${BPF_VMLINUX_BTF})
  list(APPEND bpf_missing ${BPF_VMLINUX_BTF})
endif()

if(CONFINE_BPF STREQUAL "OFF")
  set(bpf_build OFF)
elseif(bpf_missing)
  if(CONFINE_BPF STREQUAL "ON")
    message(FATAL_ERROR "CONFINE_BPF=ON but missing: ${bpf_missing}")
  endif()
  message(STATUS "eBPF monitor: off (missing: ${bpf_missing})")
  set(bpf_build OFF)
else()
  set(bpf_build ON)
endif()

if(bpf_build)
  set(bpf_gen ${CMAKE_BINARY_DIR}/gen)
  set(bpf_src ${CMAKE_SOURCE_DIR}/src/trace/bpf/exec.bpf.c)
  # The DWARF is not needed once clang has made the BTF (which stays).
  set(bpf_strip)
  if(BPF_STRIP)
    set(bpf_strip COMMAND ${BPF_STRIP} -g ${bpf_gen}/exec.bpf.o)
  endif()
  add_custom_command(OUTPUT ${bpf_gen}/vmlinux.h
    COMMAND ${CMAKE_COMMAND} -E make_directory ${bpf_gen}
    COMMAND ${BPFTOOL} btf dump file ${BPF_VMLINUX_BTF} format c > ${bpf_gen}/vmlinux.h.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${bpf_gen}/vmlinux.h.tmp ${bpf_gen}/vmlinux.h
    COMMENT "Kernel types for the eBPF monitor (${BPF_VMLINUX_BTF})")
  add_custom_command(OUTPUT ${bpf_gen}/exec.bpf.o
    COMMAND ${BPF_CLANG} -O2 -g -target bpf -D__TARGET_ARCH_x86 -Wall
            -I${bpf_gen} -I${CMAKE_SOURCE_DIR}/src -c ${bpf_src} -o ${bpf_gen}/exec.bpf.o
    ${bpf_strip}
    DEPENDS ${bpf_src} ${CMAKE_SOURCE_DIR}/src/trace/bpf/exec_event.h ${bpf_gen}/vmlinux.h
    COMMENT "eBPF monitor program")
  add_custom_command(OUTPUT ${bpf_gen}/exec.skel.h
    COMMAND ${BPFTOOL} gen skeleton ${bpf_gen}/exec.bpf.o name exec_bpf > ${bpf_gen}/exec.skel.h.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${bpf_gen}/exec.skel.h.tmp ${bpf_gen}/exec.skel.h
    DEPENDS ${bpf_gen}/exec.bpf.o
    COMMENT "eBPF monitor skeleton")
  add_custom_target(confine_bpf DEPENDS ${bpf_gen}/exec.skel.h)
  add_dependencies(confine_core confine_bpf)
  target_compile_definitions(confine_core PUBLIC CONFINE_HAVE_BPF=1)
  target_link_libraries(confine_core PUBLIC PkgConfig::LIBBPF)
  message(STATUS "eBPF monitor: on")
endif()
