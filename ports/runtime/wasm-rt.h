/*
 * wasm-rt.h - the interface wasm2c's generated C expects from its runtime,
 * implemented by this directory for targets without an operating system.
 *
 * The generated file includes "wasm-rt.h"; putting ports/runtime first on
 * the include path selects this header instead of wabt's own, which pulls
 * in setjmp, signals and malloc. Everything here is C11 and freestanding
 * apart from memcpy/memset.
 *
 * Build options (define to 0 or 1 on the compiler command line):
 *   EMBERTCP_BOUNDS_CHECKS  1 (default): every load and store is checked
 *                           against the memory size and traps when outside.
 *                           0: no checks, for a target whose MPU guards the
 *                           region or a user who accepts the risk.
 *   EMBERTCP_STACK_CHECK    0 (default): no call-depth counting. 1: trap
 *                           when calls nest deeper than
 *                           WASM_RT_MAX_CALL_STACK_DEPTH (default 200).
 */
#ifndef WASM_RT_H_
#define WASM_RT_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef EMBERTCP_BOUNDS_CHECKS
#define EMBERTCP_BOUNDS_CHECKS 1
#endif
#ifndef EMBERTCP_STACK_CHECK
#define EMBERTCP_STACK_CHECK 0
#endif

#ifndef __has_builtin
#define __has_builtin(x) 0
#endif
#if __has_builtin(__builtin_expect)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define UNLIKELY(x) (x)
#define LIKELY(x) (x)
#endif
#define wasm_rt_memcpy memcpy

/* The generated code names the unchecked mode after wabt's guard-page
 * scheme; here it only means "no MEMCHECK": nothing installs a handler. */
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER (!EMBERTCP_BOUNDS_CHECKS)
#define WASM_RT_USE_STACK_DEPTH_COUNT EMBERTCP_STACK_CHECK
#if WASM_RT_USE_STACK_DEPTH_COUNT
#ifndef WASM_RT_MAX_CALL_STACK_DEPTH
#define WASM_RT_MAX_CALL_STACK_DEPTH 200
#endif
extern uint32_t wasm_rt_call_stack_depth;
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define WABT_BIG_ENDIAN 1
#else
#define WABT_BIG_ENDIAN 0
#endif

#define WASM_RT_NO_RETURN __attribute__((noreturn))

typedef enum {
  WASM_RT_TRAP_NONE,
  WASM_RT_TRAP_OOB,               /* load/store outside linear memory */
  WASM_RT_TRAP_INT_OVERFLOW,
  WASM_RT_TRAP_DIV_BY_ZERO,
  WASM_RT_TRAP_INVALID_CONVERSION,
  WASM_RT_TRAP_UNREACHABLE,       /* the module aborted */
  WASM_RT_TRAP_CALL_INDIRECT,
  WASM_RT_TRAP_UNCAUGHT_EXCEPTION,
  WASM_RT_TRAP_EXHAUSTION,        /* call depth (EMBERTCP_STACK_CHECK) */
} wasm_rt_trap_t;

typedef enum { WASM_RT_I32, WASM_RT_I64, WASM_RT_F32, WASM_RT_F64, WASM_RT_FUNCREF, WASM_RT_EXTERNREF } wasm_rt_type_t;

typedef void (*wasm_rt_function_ptr_t)(void);
typedef struct { uint32_t func_type; wasm_rt_function_ptr_t func; void* module_instance; } wasm_rt_funcref_t;
static const wasm_rt_funcref_t wasm_rt_funcref_null_value = {0, NULL, NULL};
typedef void* wasm_rt_externref_t;
static const wasm_rt_externref_t wasm_rt_externref_null_value = NULL;

/* Linear memory: `size` is the byte count the module really needs, not
 * pages * 64 KiB, so every check is against the end of the statics. */
typedef struct { uint8_t* data; uint32_t pages, max_pages, size; } wasm_rt_memory_t;

/* The one memory's bytes (`data` above points here). scripts/build-c.mjs
 * rewrites the generated loads and stores to address them through
 * embertcp_rt_memory_base, and each load or store site to check its
 * address against EMBERTCP_MEMORY_BYTES, known when the C is built,
 * instead of reading `data` and `size` from the instance at every access.
 * The base is a pointer object, not the array itself, so that compilers
 * keep base + address in a register and put a load's constant offset in
 * the instruction (scripts/build-c.mjs, specialiseMemory, says why). */
extern uint8_t embertcp_rt_memory[];
extern uint8_t* const embertcp_rt_memory_base;
typedef struct { wasm_rt_funcref_t* data; uint32_t max_size, size; } wasm_rt_funcref_table_t;
typedef struct { wasm_rt_externref_t* data; uint32_t max_size, size; } wasm_rt_externref_table_t;

void wasm_rt_init(void);
bool wasm_rt_is_initialized(void);
void wasm_rt_free(void);
WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t);
const char* wasm_rt_strerror(wasm_rt_trap_t trap);
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...);
void wasm_rt_allocate_memory(wasm_rt_memory_t*, uint32_t initial_pages, uint32_t max_pages);
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t*, uint32_t pages);
void wasm_rt_free_memory(wasm_rt_memory_t*);
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t*, uint32_t elements, uint32_t max_elements);
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t*);
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t*, uint32_t elements, uint32_t max_elements);
void wasm_rt_free_externref_table(wasm_rt_externref_table_t*);
uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t*, uint32_t delta, wasm_rt_funcref_t init);
uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t*, uint32_t delta, wasm_rt_externref_t init);

#ifdef __cplusplus
}
#endif
#endif /* WASM_RT_H_ */
