/* trace.S: trace_record, the one function every trace event goes through (kernel/trace.h).
 *
 * It is written here, not in C, for what it does *not* touch: it reads its arguments in a0-a5
 * and changes only t0-t6. kernel/trace.h's trace_emit tells the compiler exactly that, so a
 * place that records an event keeps its values in the registers they were in, and tracing that
 * is off costs that place two instructions (a load and a branch) and nothing else: no
 * registers saved for a call that almost never happens.
 *
 *   a0 = the ring (this hart's), a1 = type, a2 = x, a3 = a, a4 = b, a5 = c
 *
 * With interrupts off (an interrupt recording in between would take the same slot), it checks
 * the ring is this hart's (the caller may have moved to another hart between loading it and
 * getting here), marks the ring busy, checks again (trace_dump may have stopped recording in
 * between; see trace.c), writes the event and counts it. Only a ring's own hart ever writes
 * its `recording`: that is what trace_dump's wait for it relies on.
 */
#include "kernel/trap.h"
#include "kernel/trace.h"

    .section .text
/* trace_record(ring, type, x, a, b, c): the event's second word (type | x << 8 | a << 32) into
 * t3, b and c into t4 and t5, then the common part. */
    .globl trace_record
trace_record:
    andi    t3, a1, 0xff
    andi    t6, a2, 0xff
    slli    t6, t6, 8
    or      t3, t3, t6
    slli    t6, a3, 32
    or      t3, t3, t6
    mv      t4, a4
    mv      t5, a5
    j       record

/* A wake (kernel/trace.h's trace_emit_wake): a0 = the ring, a1 = the task just queued. The
 * arguments are read here, so that the scheduler binds two registers, not six. */
    .globl trace_record_wake
trace_record_wake:
    lw      t6, TRACE_TASK_HART(a1)     /* x: the hart it was queued on */
    andi    t6, t6, 0xff
    slli    t6, t6, 8
    ld      t3, TRACE_TASK_ID(a1)       /* a: the task */
    slli    t3, t3, 32
    or      t3, t3, t6
    ori     t3, t3, TRACE_WAKE
    ld      t4, HART_CURRENT(tp)
    ld      t4, TRACE_TASK_ID(t4)       /* b: the waker, the task running here (0: idle) */
    li      t5, 0

/* a0 = the ring, t3-t5 = the event's words after the time. Uses t0-t6 only. */
record:
    csrrci  t2, sstatus, 1 << 1         /* SIE off; t2 = what it was */
    ld      t0, HART_TRACE(tp)          /* a ring the caller loaded on another hart (it moved)
                                           is not ours to mark busy: that hart may be writing
                                           it, and our recording = 0 below would hide that
                                           from trace_dump. Drop the event, touch nothing. */
    bne     t0, a0, 2f
    li      t0, 1
    sw      t0, TRACE_RING_RECORDING(a0)
    fence   rw, rw                      /* recording = 1, then look (pairs with trace_dump) */
    ld      t0, HART_TRACE(tp)
    bne     t0, a0, 1f                  /* not this hart's ring any more: drop the event */
    ld      t0, TRACE_RING_WRITTEN(a0)
    lwu     t1, TRACE_RING_MASK(a0)
    and     t1, t1, t0
    addi    t0, t0, 1
    sd      t0, TRACE_RING_WRITTEN(a0)
    slli    t1, t1, 5                   /* 32 bytes an event */
    ld      t0, TRACE_RING_EVENTS(a0)
    add     t1, t1, t0                  /* the slot */
    rdtime  t0                          /* with SIE off: a hart's times never go back */
    sd      t0, 0(t1)
    sd      t3, 8(t1)
    sd      t4, 16(t1)
    sd      t5, 24(t1)
1:  fence   rw, w                       /* the event, then recording = 0 (a release) */
    sw      zero, TRACE_RING_RECORDING(a0)
2:  csrs    sstatus, t2
    ret
