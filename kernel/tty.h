/* tty.h: the console's line discipline. Bytes typed on the console arrive one by one from the
 * UART's receive interrupt (kernel/uart.c) and are edited here into lines, with echo; SYS_read
 * on fd 0 takes whole lines. Ctrl-C kills the console's foreground program.
 *
 *   Enter      the line (with its newline) becomes readable
 *   Backspace  erase the last character      Ctrl-U  erase the whole line
 *   Ctrl-C     drop the line; kill the foreground program (if none: an empty line)
 *   Ctrl-D     at the start of a line: end of input (read returns 0); else: the line so far
 *   arrows, Home, End, Delete, F1..  (escape sequences) taken whole and ignored, for now
 *   ESC then an ordinary key          the ESC is dropped, the key typed
 */
#ifndef HARTOS_TTY_H
#define HARTOS_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTY_LINE_MAX  256       /* a line with its newline; longer ones are truncated */
#define TTY_QUEUE_MAX 1024      /* finished lines not read yet (type-ahead) */

/* Input is coming (main.c, once the UART interrupt is routed). Without it, read says end of
 * input at once instead of waiting for keys that can never arrive. */
void tty_input_on(void);

/* One received byte; called with interrupts off (from the UART's interrupt). */
void tty_input(uint8_t c);

/* Block until a line is ready, then copy at most n bytes of it (up to and including its
 * newline). Returns the count, or 0 at end of input. */
size_t tty_read(char *buf, size_t n);

/* The foreground: the program Ctrl-C kills (a task id), 0 for none. Only the console's
 * owner may change it: the program the kernel started first (init, the shell), the foreground
 * program itself, and the program that made it the foreground (its giver). Whoever changes it
 * becomes the giver. So the shell can always take the console back; a job it made the
 * foreground may hand it to a child and take it back; a background job cannot take it. A
 * program two hand-overs up (not the owner) has lost the right. */
void tty_set_owner(uint64_t pid);           /* the owner, as it starts; no foreground */
/* `by` makes pid (0: none) the foreground: 0, or -EPERM if `by` may not. */
int tty_hand_foreground(uint64_t by, uint64_t pid);
/* The same, unless passed_by has already handed the console on (it is the giver now): a
 * spawn's hand-over to a job that may have started, and passed it on, before spawn returned. */
int tty_hand_foreground_unless_passed(uint64_t by, uint64_t pid, uint64_t passed_by);
bool tty_may_hand_foreground(uint64_t by);  /* whether it may, now */

#endif
