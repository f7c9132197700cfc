/*
 * mps2.h - the parts of the ARM MPS2 boards (AN385 Cortex-M3, AN386
 * Cortex-M4) and of the Armv7-M system space this port touches, as QEMU's
 * mps2-an385 / mps2-an386 machines model them.
 *
 * Sources: ARM "Cortex-M System Design Kit" technical reference (CMSDK APB
 * UART), Application Notes AN385/AN386 (memory map, interrupt numbers,
 * 25 MHz system clock) and the Armv7-M Architecture Reference Manual
 * (SysTick B3.3, NVIC B3.4, SCB AIRCR B3.2.6).
 */
#ifndef MPS2_H
#define MPS2_H

#include <stdint.h>

#define MPS2_SYSCLK_HZ 25000000u

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- CMSDK APB UART ---- */
#define MPS2_UART0 0x40004000u /* the SLIP link: QEMU's first -serial */
#define MPS2_UART1 0x40005000u /* the log: QEMU's second -serial */

#define UART_DATA(b)     REG32((b) + 0x000u)
#define UART_STATE(b)    REG32((b) + 0x004u)
#define UART_CTRL(b)     REG32((b) + 0x008u)
#define UART_INTSTATUS(b) REG32((b) + 0x00Cu) /* read: status; write 1: clear */
#define UART_BAUDDIV(b)  REG32((b) + 0x010u)

#define UART_STATE_TXFULL  (1u << 0)
#define UART_STATE_RXFULL  (1u << 1)
#define UART_STATE_TXOVR   (1u << 2)
#define UART_STATE_RXOVR   (1u << 3) /* write 1 to clear */

#define UART_CTRL_TXEN     (1u << 0)
#define UART_CTRL_RXEN     (1u << 1)
#define UART_CTRL_RXINTEN  (1u << 3)
#define UART_CTRL_RXOVRINTEN (1u << 5)

#define UART_INT_RX        (1u << 1)
#define UART_INT_RXOVR     (1u << 3)

/* External interrupt numbers (AN385/AN386 table "Interrupt map"). */
#define MPS2_IRQ_UART0_RX  0
#define MPS2_IRQ_UART_OVR  12 /* UART 0, 1, 2 overrun, combined */

/* ---- Armv7-M system control space ---- */
#define SYST_CSR   REG32(0xE000E010u)
#define SYST_RVR   REG32(0xE000E014u)
#define SYST_CVR   REG32(0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1: the processor clock */

#define NVIC_ISER0 REG32(0xE000E100u)
#define SCB_AIRCR  REG32(0xE000ED0Cu)
#define SCB_AIRCR_RESET (0x05FA0000u | (1u << 2)) /* VECTKEY | SYSRESETREQ */

static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

#endif /* MPS2_H */
