/* demo.h: the chapter's demonstration, run by the main task on a plain boot. */
#ifndef HARTOS_DEMO_H
#define HARTOS_DEMO_H

void demo_run(void);

#endif
