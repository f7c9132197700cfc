/*
 * embertcp-rt.c - binds wasm2c's embertcp module to include/embertcp.h:
 * the ABI functions call into the one module instance, and the module's
 * "hal" imports call the port's hal_* functions.
 */
#include "embertcp_w2c.h"
#include "embertcp.h"
#include "embertcp-rt.h"
#include "embertcp_memory.h"
#include "embertcp_stats.h"

#ifndef EMBERTCP_ONE_INSTANCE
#error "embertcp_memory.h lacks EMBERTCP_ONE_INSTANCE: it is older than the generated C; run npm run build:c"
#endif

/* The import side of the instance: wasm2c passes it to every import. */
struct Z_hal_instance_t { uint32_t unused; };

/* The one instance. Not static: build-c.mjs has the module's functions
 * name it rather than pass it along (specialiseInstance). */
Z_embertcp_instance_t embertcp_rt_instance;

static struct {
  struct Z_hal_instance_t hal;
  bool module_ready;
} rt;

void embertcp_rt_start(void) {
  if (!rt.module_ready) {
    wasm_rt_init();
    Z_embertcp_init_module();
    rt.module_ready = true;
  }
  /* The specialised C sets only the globals that do not start at zero. */
  memset(&embertcp_rt_instance, 0, sizeof embertcp_rt_instance);
  Z_embertcp_instantiate(&embertcp_rt_instance, &rt.hal);
}

/* ---- imports (module "hal") ---- */

/* wasm2c passes each import the instance of its module ("hal"); nothing
 * is kept there, and the specialised C (EMBERTCP_ONE_INSTANCE) passes
 * nothing, so each import is a tail call. */
#if EMBERTCP_ONE_INSTANCE
#define HAL_ARGS(...) (__VA_ARGS__)
#define HAL_ARGS0 (void)
#else
#define HAL_ARGS(...) (struct Z_hal_instance_t* h __attribute__((unused)), __VA_ARGS__)
#define HAL_ARGS0 (struct Z_hal_instance_t* h __attribute__((unused)))
#endif

void Z_halZ_spi_select HAL_ARGS(u32 active) { hal_spi_select((int32_t)active); }
void Z_halZ_spi_transfer HAL_ARGS(u32 ptr, u32 len) { hal_spi_transfer(ptr, (int32_t)len); }
void Z_halZ_frame_out HAL_ARGS(u32 ptr, u32 len) { hal_frame_out(ptr, (int32_t)len); }
u32 Z_halZ_entropy HAL_ARGS0 { return hal_entropy(); }
void Z_halZ_log HAL_ARGS(u32 level, u32 ptr, u32 len) { hal_log((int32_t)level, ptr, (int32_t)len); }

/* ---- exports: the ABI of include/embertcp.h ---- */

/* build-c.mjs leaves the instance out of the exports' arguments when the
 * module names its one instance itself (EMBERTCP_ONE_INSTANCE, in the
 * generated embertcp_memory.h): each function below is then one tail call.
 * wasm2c's C as generated takes the instance first. */
#if EMBERTCP_ONE_INSTANCE
#define CALL(name, ...) Z_embertcpZ_##name(__VA_ARGS__)
#define CALL0(name) Z_embertcpZ_##name()
#else
#define CALL(name, ...) Z_embertcpZ_##name(&embertcp_rt_instance, __VA_ARGS__)
#define CALL0(name) Z_embertcpZ_##name(&embertcp_rt_instance)
#endif

/*
 * The module checks every pointer it is given against its memory's size in
 * pages (docs/ABI.md: a bad pointer is EINVAL, counted in api_einval). This
 * runtime's memory ends at the statics, before the last page does, so a
 * range between the two would pass that check and then trap. Such a range
 * is handed on as UINT32_MAX, which the module's own check refuses the
 * usual way: the caller sees EINVAL and the counter moves, as on any
 * runtime.
 */
__attribute__((noinline)) static uint32_t in_memory(uint32_t ptr, int64_t len) {
  if (len < 0 || (uint64_t)ptr + (uint64_t)len <= EMBERTCP_MEMORY_BYTES) return ptr;
  return UINT32_MAX;
}
int32_t net_init(int32_t link, uint32_t mac_ptr, uint32_t ip, uint32_t netmask, uint32_t gateway) {
  return (int32_t)CALL(net_init, (u32)link, in_memory(mac_ptr, 6), ip, netmask, gateway);
}
int32_t net_poll(uint32_t now_ms) { return (int32_t)CALL(net_poll, now_ms); }
int32_t net_input(uint32_t ptr, int32_t len) { return (int32_t)CALL(net_input, in_memory(ptr, len), (u32)len); }
uint32_t net_scratch(void) { return CALL0(net_scratch); }
int32_t net_scratch_size(void) { return (int32_t)CALL0(net_scratch_size); }
int32_t net_config(int32_t key, int32_t value) { return (int32_t)CALL(net_config, (u32)key, (u32)value); }
int32_t net_stats(uint32_t out_ptr) { return (int32_t)CALL(net_stats, in_memory(out_ptr, EMBERTCP_STAT_COUNT * 4)); }
int32_t tcp_listen(int32_t port, int32_t backlog) { return (int32_t)CALL(tcp_listen, (u32)port, (u32)backlog); }
int32_t tcp_accept(int32_t listener) { return (int32_t)CALL(tcp_accept, (u32)listener); }
int32_t tcp_connect(uint32_t ip, int32_t port) { return (int32_t)CALL(tcp_connect, ip, (u32)port); }
int32_t tcp_send(int32_t conn, uint32_t ptr, int32_t len) { return (int32_t)CALL(tcp_send, (u32)conn, in_memory(ptr, len), (u32)len); }
int32_t tcp_recv(int32_t conn, uint32_t ptr, int32_t len) { return (int32_t)CALL(tcp_recv, (u32)conn, in_memory(ptr, len), (u32)len); }
int32_t tcp_close(int32_t conn) { return (int32_t)CALL(tcp_close, (u32)conn); }
int32_t tcp_abort(int32_t conn) { return (int32_t)CALL(tcp_abort, (u32)conn); }
int32_t tcp_poll(int32_t conn) { return (int32_t)CALL(tcp_poll, (u32)conn); }
int32_t tcp_state(int32_t conn) { return (int32_t)CALL(tcp_state, (u32)conn); }
int32_t tcp_status(int32_t conn, uint32_t out_ptr) {
  return (int32_t)CALL(tcp_status, (u32)conn, in_memory(out_ptr, sizeof(embertcp_status)));
}
int32_t tcp_list(uint32_t out_ptr, int32_t max) {
  return (int32_t)CALL(tcp_list, in_memory(out_ptr, (int64_t)max * (int64_t)sizeof(embertcp_list_entry)), (u32)max);
}
#undef CALL
#undef CALL0
