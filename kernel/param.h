/* param.h: the kernel's fixed limits, shared by C and assembly (boot/entry.S includes it).
 * Everything the machine itself decides (hart ids, memory, devices) comes from the device tree;
 * only the sizes of our own static tables live here.
 */
#ifndef HARTOS_PARAM_H
#define HARTOS_PARAM_H

#define MAX_HARTS   8          /* harts the kernel will run; extra ones are left stopped (ch6) */
#define KSTACK_SIZE 16384      /* bytes of boot stack per hart */

#endif
