// Default AddressSanitizer options for neuroscale executables in Sanitize builds. Include
// in exactly one translation unit per executable (the one with main).
//  - protect_shadow_gap=0: the CUDA runtime maps memory inside ASan's shadow gap.
//  - detect_leaks=0: Open MPI's dlopen'ed components leak at MPI_Finalize and are unloaded
//    before the report, so their frames cannot be suppressed by name; LibTorch keeps
//    process-lifetime allocations too. Leaks in neuroscale's own code are instead guarded
//    by RAII owners (HDF5 ids, MPI context) and their tests.
// ASAN_OPTIONS / UBSAN_OPTIONS in the environment still override these.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __asan_default_options() { return "protect_shadow_gap=0:detect_leaks=0"; }
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(NEUROSCALE_UBSAN)
extern "C" const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }
#endif
