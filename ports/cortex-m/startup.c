/*
 * startup.c - the vector table and reset code, in the CMSIS shape
 * (`__Vectors`, `Reset_Handler`, `<Name>_Handler`, `<Device>_IRQHandler`)
 * without a vendor SDK. Armv7-M ARM B1.5.2/B1.5.3: word 0 is the initial
 * main stack pointer, word 1 the reset vector, then 14 system exceptions
 * and the external interrupts of the MPS2 (AN385/AN386 interrupt map).
 *
 * Every handler the port does not implement is a weak alias of
 * Default_Handler, which ends in port_fault(): an unexpected exception
 * resets the board the same way a trap in the module does.
 */
#include <stdint.h>
#include <string.h>
#include "board.h"

/* Symbols from the linker script (mps2.ld). */
extern uint32_t _sstack, _estack, _sidata, _sdata, _edata, _sbss, _ebss;

#define STACK_PAINT 0xDEADBEEFu

int main(void);

void Reset_Handler(void);
void Default_Handler(void);

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;
void UARTRX0_IRQHandler(void) WEAK_DEFAULT;
void UARTTX0_IRQHandler(void) WEAK_DEFAULT;
void UARTRX1_IRQHandler(void) WEAK_DEFAULT;
void UARTTX1_IRQHandler(void) WEAK_DEFAULT;
void UARTRX2_IRQHandler(void) WEAK_DEFAULT;
void UARTTX2_IRQHandler(void) WEAK_DEFAULT;
void PORT0_ALL_IRQHandler(void) WEAK_DEFAULT;
void PORT1_ALL_IRQHandler(void) WEAK_DEFAULT;
void TIMER0_IRQHandler(void) WEAK_DEFAULT;
void TIMER1_IRQHandler(void) WEAK_DEFAULT;
void DUALTIMER_IRQHandler(void) WEAK_DEFAULT;
void SPI_IRQHandler(void) WEAK_DEFAULT;
void UARTOVF_IRQHandler(void) WEAK_DEFAULT;

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t __Vectors[16 + 13] = {
  (vector_t)(uintptr_t)&_estack,
  Reset_Handler,
  NMI_Handler,
  HardFault_Handler,
  MemManage_Handler,
  BusFault_Handler,
  UsageFault_Handler,
  0, 0, 0, 0, /* reserved */
  SVC_Handler,
  DebugMon_Handler,
  0, /* reserved */
  PendSV_Handler,
  SysTick_Handler,
  /* External interrupts 0..12 */
  UARTRX0_IRQHandler, UARTTX0_IRQHandler, UARTRX1_IRQHandler, UARTTX1_IRQHandler,
  UARTRX2_IRQHandler, UARTTX2_IRQHandler, PORT0_ALL_IRQHandler, PORT1_ALL_IRQHandler,
  TIMER0_IRQHandler, TIMER1_IRQHandler, DUALTIMER_IRQHandler, SPI_IRQHandler,
  UARTOVF_IRQHandler,
};

/* Copy initialised data from flash, clear .bss, paint the unused stack
 * (for stack_used), run main (which never returns). */
void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (size_t)((uintptr_t)&_edata - (uintptr_t)&_sdata));
  memset(&_sbss, 0, (size_t)((uintptr_t)&_ebss - (uintptr_t)&_sbss));
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (volatile uint32_t *p = &_sstack; (uintptr_t)p < sp - 64u; p++) *p = STACK_PAINT;
  main();
  port_fault("fault", "main returned");
}

uint32_t stack_used(void) {
  const volatile uint32_t *p = &_sstack;
  while (p < &_estack && *p == STACK_PAINT) p++;
  return (uint32_t)((uintptr_t)&_estack - (uintptr_t)p);
}

void Default_Handler(void) {
  port_fault("fault", "unexpected exception");
}
