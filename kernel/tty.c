/* tty.c: the console line discipline (see tty.h): an edit buffer filled by the UART interrupt,
 * and a queue of finished lines that SYS_read takes from. Everything here is guarded by the
 * readers' wait-queue lock, so that a reader checks for a line and blocks without missing the
 * interrupt that brings it (task/wait.h). Echo takes the console lock inside it (that one is a
 * leaf); the kill for Ctrl-C happens after both are released.
 */
#include "kernel/tty.h"
#include "kernel/console.h"
#include "kernel/printf.h"
#include "task/task.h"
#include "task/wait.h"
#include "user/syscall.h"

#include <stdbool.h>

#define CTRL(c)   ((c) & 0x1f)
#define BACKSPACE 0x08
#define DELETE    0x7f          /* what most terminals send for the Backspace key */
#define ESC       0x1b          /* the first byte of a key's escape sequence (below) */
#define TTY_EOF   0x100         /* a queue entry that is not a byte: end of input */

static struct wait_queue readers;
static bool input_on;
static char edit[TTY_LINE_MAX];
static size_t edit_len;
static bool edit_truncated;     /* bytes were dropped: the line was longer than TTY_LINE_MAX */
/* Where we are in a key's escape sequence (escape_input): after its ESC; in its first number
 * (esc_number: the 3 of ESC [ 3 ~, Delete); past that number, before its final byte. */
static enum { ESC_NONE, ESC_SEEN, ESC_NUMBER, ESC_REST } esc_state;
static unsigned esc_number;
static uint16_t queue[TTY_QUEUE_MAX];
static size_t queue_head, queue_len;
/* Who Ctrl-C kills, and who may change that (tty.h gives the rule): pids, 0 for none, under
 * readers.lock like the rest. */
static uint64_t owner;          /* the program that owns the console: init, the shell */
static uint64_t foreground;     /* the program Ctrl-C kills */
static uint64_t giver;          /* the program that made `foreground` the foreground */

void tty_input_on(void)
{
    wait_init(&readers, "tty");
    input_on = true;
}

void tty_set_owner(uint64_t pid)
{
    if (!input_on)                  /* no input, no Ctrl-C (and the lock is not set up) */
        return;
    spin_lock(&readers.lock);
    owner = pid;
    foreground = giver = 0;
    spin_unlock(&readers.lock);
}

/* The rule (tty.h). Call holding readers.lock. */
static bool may_hand(uint64_t by)
{
    return by == owner || by == foreground || by == giver;
}

int tty_hand_foreground(uint64_t by, uint64_t pid)
{
    return tty_hand_foreground_unless_passed(by, pid, 0);
}

int tty_hand_foreground_unless_passed(uint64_t by, uint64_t pid, uint64_t passed_by)
{
    if (!input_on)
        return 0;
    int r = 0;
    spin_lock(&readers.lock);
    if (passed_by != 0 && giver == passed_by) {
        /* pid has run already and handed the console on itself: leave that be */
    } else if (may_hand(by)) {
        foreground = pid;
        giver = by;
    } else {
        r = -EPERM;
    }
    spin_unlock(&readers.lock);
    return r;
}

bool tty_may_hand_foreground(uint64_t by)
{
    if (!input_on)
        return true;
    spin_lock(&readers.lock);
    bool may = may_hand(by);
    spin_unlock(&readers.lock);
    return may;
}

static void echo(const char *s, size_t n)
{
    console_lock();
    for (size_t i = 0; i < n; i++)
        console_putc(s[i]);
    console_unlock();
}

static void queue_push(uint16_t v)
{
    queue[(queue_head + queue_len++) % TTY_QUEUE_MAX] = v;
}

/* Erase n characters on the screen and in the buffer. */
static void erase(size_t n)
{
    for (; n > 0 && edit_len > 0; n--, edit_len--)
        echo("\b \b", 3);
    if (edit_len == 0)
        edit_truncated = false;
}

/* The edit buffer (plus `end`, a newline or nothing) becomes a line readers can take. A line
 * that does not fit in the queue is dropped whole, never half-delivered. */
static void finish_line(bool newline)
{
    size_t need = edit_len + (newline ? 1 : 0);
    if (newline)
        echo("\n", 1);
    if (edit_truncated)
        kprintf("tty: line longer than %d bytes: truncated to its first %d\n",
                TTY_LINE_MAX - 1, TTY_LINE_MAX - 1);
    if (queue_len + need > TTY_QUEUE_MAX) {
        kprintf("tty: %d bytes typed ahead and not read: line dropped\n", TTY_QUEUE_MAX);
    } else {
        for (size_t i = 0; i < edit_len; i++)
            queue_push((uint8_t)edit[i]);
        if (newline)
            queue_push('\n');
    }
    edit_len = 0;
    edit_truncated = false;
    wait_wake_all(&readers);
}

/* Printable ASCII, tab, and bytes >= 0x80 (UTF-8) are text; other control bytes (line
 * noise) are dropped, and ESC starts a key's sequence (escape_input), so garbage cannot reach
 * a program as commands it did not type. */
static bool is_text(uint8_t c)
{
    return (c >= 0x20 && c != DELETE) || c == '\t';
}

/* Keys that are not characters: the arrows, Home, End, Delete, the function keys. */
enum tty_key { KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT, KEY_HOME, KEY_END, KEY_DELETE, KEY_OTHER };

/* One such key, decoded. None of them edits anything yet, so each is dropped whole (none of
 * its bytes may reach the line: an arrow would run "[A" as a command). This is the place for
 * the later lab on history and cursor keys: Up and Down would erase the edit buffer (erase)
 * and echo a line that finish_line kept, Left and Right move a cursor in `edit`. */
static void key_pressed(enum tty_key key)
{
    (void)key;
}

/* The key an escape sequence names, by its final byte and its first number. */
static enum tty_key key_of(uint8_t final, unsigned number)
{
    switch (final) {
    case 'A': return KEY_UP;
    case 'B': return KEY_DOWN;
    case 'C': return KEY_RIGHT;
    case 'D': return KEY_LEFT;
    case 'H': return KEY_HOME;
    case 'F': return KEY_END;
    case '~':                               /* VT220 keys: ESC [ number ~ */
        return number == 1 || number == 7 ? KEY_HOME :
               number == 4 || number == 8 ? KEY_END :
               number == 3 ? KEY_DELETE : KEY_OTHER;
    default:  return KEY_OTHER;             /* F1-F4 (ESC O P..S) and the rest */
    }
}

/* A key's escape sequence, byte by byte (ECMA-48 5.4, as xterm and QEMU's terminal send it):
 * ESC [, then parameter bytes 0x30-0x3f (digits, ';') and intermediate bytes 0x20-0x2f, then
 * one final byte 0x40-0x7e: ESC [ A is Up, ESC [ 3 ~ Delete, ESC [ 1 ; 5 C Ctrl-Right. ESC O A
 * is Up too (a terminal's "application" mode) and is read the same way.
 * Decoded here, in the line discipline, and not in the shell: this is where bytes are echoed,
 * so a program would get them only after the screen showed "[A"; and every program that reads
 * the console is spared them alike.
 * Returns whether c belonged to the sequence. A byte that cannot continue it ends it and counts
 * as typed: so a lone ESC then an ordinary key drops the ESC and keeps the key, and Enter,
 * Ctrl-C or Ctrl-U in mid-sequence do their usual work. (A lone ESC then '[' or 'O' typed by
 * hand starts a sequence: without timing the bytes, we cannot tell the two apart.) */
static bool escape_input(uint8_t c)
{
    if (esc_state == ESC_SEEN && (c == '[' || c == 'O')) {
        esc_state = ESC_NUMBER;
        esc_number = 0;
        return true;
    }
    if (esc_state == ESC_NUMBER && c >= '0' && c <= '9') {
        if (esc_number < 1000)
            esc_number = esc_number * 10 + (c - '0');
        return true;
    }
    if ((esc_state == ESC_NUMBER || esc_state == ESC_REST) && c >= 0x20 && c <= 0x3f) {
        esc_state = ESC_REST;                   /* past the first number: ';', more numbers */
        return true;
    }
    bool final = esc_state != ESC_SEEN && c >= 0x40 && c <= 0x7e;
    esc_state = ESC_NONE;
    if (final)
        key_pressed(key_of(c, esc_number));
    return final;
}

void tty_input(uint8_t c)
{
    uint64_t kill = 0;
    spin_lock(&readers.lock);
    if (esc_state != ESC_NONE && escape_input(c)) {
        /* part of a key's escape sequence: taken whole */
    } else if (c == ESC) {
        esc_state = ESC_SEEN;
    } else if (c == '\r' || c == '\n') {
        finish_line(true);
    } else if (c == BACKSPACE || c == DELETE) {
        erase(1);
    } else if (c == CTRL('U')) {
        erase(edit_len);
    } else if (c == CTRL('D')) {
        if (edit_len == 0) {
            if (queue_len < TTY_QUEUE_MAX)
                queue_push(TTY_EOF);
            wait_wake_all(&readers);
        } else {
            finish_line(false);
        }
    } else if (c == CTRL('C')) {
        echo("^C\n", 3);
        edit_len = 0;
        edit_truncated = false;
        kill = foreground;
        if (kill == 0 && queue_len < TTY_QUEUE_MAX) {
            queue_push('\n');       /* an empty line: the shell prompts again */
            wait_wake_all(&readers);
        }
    } else if (is_text(c)) {
        if (edit_len < TTY_LINE_MAX - 1) {      /* room for the newline stays */
            edit[edit_len++] = (char)c;
            echo((const char *)&c, 1);
        } else {
            edit_truncated = true;
        }
    }
    spin_unlock(&readers.lock);
    if (kill)
        task_abort_id(kill);        /* it ends at its next switch point; the shell's wait sees */
}

size_t tty_read(char *buf, size_t n)
{
    if (!input_on || n == 0)
        return 0;
    spin_lock(&readers.lock);
    while (queue_len == 0)
        if (wait_block(&readers) != 0) {    /* killed (Ctrl-C, kill) while it waited */
            spin_unlock(&readers.lock);
            task_exit_aborted();
        }
    size_t got = 0;
    bool eof = queue[queue_head] == TTY_EOF;
    if (eof) {                      /* taken alone: this read returns 0 */
        queue_head = (queue_head + 1) % TTY_QUEUE_MAX;
        queue_len--;
    }
    while (!eof && got < n && queue_len > 0 && queue[queue_head] != TTY_EOF &&
           (got == 0 || buf[got - 1] != '\n')) {
        buf[got++] = (char)queue[queue_head];
        queue_head = (queue_head + 1) % TTY_QUEUE_MAX;
        queue_len--;
    }
    spin_unlock(&readers.lock);
    return got;
}
