// Tunes glibc's malloc for a process that frees and allocates the same large tensors every
// training step.
//
// LibTorch takes CPU tensors from malloc. glibc serves a block above its mmap threshold
// (128 KiB at first, raised as such blocks are freed, up to 32 MiB) from a fresh mmap and
// returns freed heap memory above 128 KiB at the heap's top to the system: every step then
// faults in its activations' pages anew (about 10,000 page faults a step of the 100M LoRA
// benchmark, 5% of its time; docs/benchmarks.md). With a fixed 32 MiB threshold (glibc's
// largest) and a 256 MiB trim threshold the blocks are reused from the heap instead; the
// process keeps up to 256 MiB of freed memory for its next step.
#pragma once

namespace neuroscale {

// Sets M_MMAP_THRESHOLD to 32 MiB and M_TRIM_THRESHOLD to 256 MiB, unless the user chose
// malloc's settings (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES set) or
// NEUROSCALE_MALLOC_TUNING=0. Returns whether it changed them. Call once at the start of
// main, before threads start.
bool tune_host_allocator();

}  // namespace neuroscale
