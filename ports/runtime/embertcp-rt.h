/*
 * embertcp-rt.h - running embertcp's wasm2c C on a board: what the
 * runtime gives a port, and what a port must supply.
 *
 * The runtime (this directory) gives:
 *   embertcp_rt_start()   instantiate the module: clear its memory, load
 *                         its data; call once before net_init (again to
 *                         start over from power-on state).
 *   embertcp_mem(p, n)    a host pointer to bytes [p, p+n) of the module's
 *                         memory, or NULL when they are not all inside it;
 *                         how a port reads frames out of and writes frames
 *                         into the buffers whose offsets the ABI passes.
 *   embertcp_mem_size()   the byte size of that memory (EMBERTCP_MEMORY_BYTES).
 *   every function of include/embertcp.h's export list (net_init, net_poll,
 *   tcp_send, ...), calling into the module.
 *
 * The port supplies:
 *   the five hal_* functions declared in include/embertcp.h (the module's
 *   imports: SPI, frame_out, entropy, log), and
 *   embertcp_port_trap(), called when the module traps (an out-of-bounds
 *   access with bounds checks on, an abort, an unreachable). It must not
 *   return into the module: report and exit, or reset the board.
 */
#ifndef EMBERTCP_RT_H
#define EMBERTCP_RT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void embertcp_rt_start(void);
uint8_t* embertcp_mem(uint32_t ptr, uint32_t len);
uint32_t embertcp_mem_size(void);

/* Supplied by the port. `code` is the wasm_rt_trap_t value, `why` its name. */
_Noreturn void embertcp_port_trap(int code, const char* why);

#ifdef __cplusplus
}
#endif
#endif /* EMBERTCP_RT_H */
