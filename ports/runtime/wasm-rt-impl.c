/*
 * wasm-rt-impl.c - the runtime functions wasm2c's generated C calls, for
 * one module on a target without an OS: its linear memory is one static
 * array of EMBERTCP_MEMORY_BYTES (the end of the module's statics, from
 * embertcp_memory.h written by scripts/build-c.mjs), never pages; there
 * is no malloc, no signal handler and no setjmp. A trap goes to the
 * port's embertcp_port_trap() and never comes back.
 */
#include <stdarg.h>

#include "wasm-rt.h"
#include "embertcp-rt.h"
#include "embertcp_memory.h"

/* EMBERTCP_TABLES (embertcp_memory.h) is 0 when the generated C uses no
 * table, call_indirect or function type (scripts/build-c.mjs,
 * specialiseInstance): the registry of function types and the table calls
 * below are then left out, code and RAM nobody would use. */
#ifndef EMBERTCP_TABLES
#define EMBERTCP_TABLES 1
#endif

/* Distinct function signatures, so call_indirect's type check compares
 * indices (the WebAssembly spec's structural type equality). */
#define MAX_FUNC_TYPES 48
#define MAX_SIG_TYPES 16

struct func_type { uint8_t params, results, types[MAX_SIG_TYPES]; };

static struct {
  bool initialized;
#if EMBERTCP_TABLES
  uint32_t func_type_count;
  struct func_type func_types[MAX_FUNC_TYPES];
#endif
} rt;
/* Outside the struct and not static: build-c.mjs points the generated
 * loads and stores at it by name, through the base pointer (wasm-rt.h). */
_Alignas(16) uint8_t embertcp_rt_memory[EMBERTCP_MEMORY_BYTES];
uint8_t* const embertcp_rt_memory_base = embertcp_rt_memory;

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif

void wasm_rt_init(void) { rt.initialized = true; }
bool wasm_rt_is_initialized(void) { return rt.initialized; }
void wasm_rt_free(void) { rt.initialized = false; }

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_OOB: return "out-of-bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed (module abort)";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call type mismatch";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "trap";
  }
}

void wasm_rt_trap(wasm_rt_trap_t trap) {
#if WASM_RT_USE_STACK_DEPTH_COUNT
  wasm_rt_call_stack_depth = 0;
#endif
  embertcp_port_trap((int)trap, wasm_rt_strerror(trap));
}

#if EMBERTCP_TABLES
static bool same_type(const struct func_type* a, const struct func_type* b) {
  if (a->params != b->params || a->results != b->results) return false;
  for (uint32_t i = 0; i < (uint32_t)a->params + a->results; i++)
    if (a->types[i] != b->types[i]) return false;
  return true;
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  struct func_type t = {0};
  if (params + results > MAX_SIG_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  t.params = (uint8_t)params;
  t.results = (uint8_t)results;
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) t.types[i] = (uint8_t)va_arg(ap, int);
  va_end(ap);
  for (uint32_t i = 0; i < rt.func_type_count; i++)
    if (same_type(&rt.func_types[i], &t)) return i;
  if (rt.func_type_count == MAX_FUNC_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  rt.func_types[rt.func_type_count] = t;
  return rt.func_type_count++;
}
#endif

/* The one memory: cleared on every instantiation (the module expects
 * zeroed memory), sized to the statics. More declared pages than bytes
 * is the normal case; fewer would mean embertcp_memory.h is stale. */
void wasm_rt_allocate_memory(wasm_rt_memory_t* mem, uint32_t initial_pages, uint32_t max_pages) {
  if ((uint64_t)initial_pages * 65536u < EMBERTCP_MEMORY_BYTES) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memset(embertcp_rt_memory, 0, sizeof embertcp_rt_memory);
  mem->data = embertcp_rt_memory;
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = EMBERTCP_MEMORY_BYTES;
}

/* Static memory cannot grow: memory.grow fails as the spec allows (-1). */
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* mem, uint32_t pages) {
  (void)mem;
  (void)pages;
  return UINT32_MAX;
}

void wasm_rt_free_memory(wasm_rt_memory_t* mem) { mem->data = NULL; mem->size = 0; }

#if EMBERTCP_TABLES
/* embertcp has no tables; a module that wanted one would need storage
 * this runtime does not reserve, so it traps at instantiation. */
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* t, uint32_t elements, uint32_t max_elements) {
  if (elements > 0) wasm_rt_trap(WASM_RT_TRAP_OOB);
  t->data = NULL;
  t->size = 0;
  t->max_size = max_elements;
}

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* t, uint32_t elements, uint32_t max_elements) {
  if (elements > 0) wasm_rt_trap(WASM_RT_TRAP_OOB);
  t->data = NULL;
  t->size = 0;
  t->max_size = max_elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* t) { t->size = 0; }
void wasm_rt_free_externref_table(wasm_rt_externref_table_t* t) { t->size = 0; }

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t* t, uint32_t delta, wasm_rt_funcref_t init) {
  (void)t; (void)delta; (void)init;
  return UINT32_MAX;
}

uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t* t, uint32_t delta, wasm_rt_externref_t init) {
  (void)t; (void)delta; (void)init;
  return UINT32_MAX;
}
#endif

uint8_t* embertcp_mem(uint32_t ptr, uint32_t len) {
  if ((uint64_t)ptr + len > EMBERTCP_MEMORY_BYTES) return NULL;
  return embertcp_rt_memory + ptr;
}

uint32_t embertcp_mem_size(void) { return EMBERTCP_MEMORY_BYTES; }
