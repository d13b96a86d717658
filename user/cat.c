/* cat.c: copies the console's input to its output, line by line, until end of input (Ctrl-D
 * at the start of a line). There are no files yet: stdin is the only thing to read. */
#include <string.h>

#include "user/lib/sys.h"

static const char read_failed[] = "cat: reading the console failed: ";

int main(void)
{
    char buf[256];
    long n;
    while ((n = sys_read(0, buf, sizeof(buf))) > 0)
        if (sys_write(1, buf, (size_t)n) != n)
            return 1;
    if (n < 0) {
        const char *why = error_name(n);
        sys_write(2, read_failed, strlen(read_failed));
        sys_write(2, why, strlen(why));
        sys_write(2, "\n", 1);
    }
    return n < 0 ? 1 : 0;
}
