/* hello.c: the first user program: prints its arguments, one a line, and exits 0.
 *   init=hello a b   ->   hello: argc 3 / argv[0] = "hello" / argv[1] = "a" / argv[2] = "b" */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("hello: argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
