// Reports the size of one TCP control block (rings and hole list excluded)
// for bench/tcp.ts.
import { TCB_BYTES } from "../../assembly/tcp/tcb";

export function tcb_bytes(): i32 { return TCB_BYTES; }
