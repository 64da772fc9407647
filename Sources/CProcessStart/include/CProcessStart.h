#ifndef CPROCESSSTART_H
#define CPROCESSSTART_H

/* Nothing to call: this target supplies the Swift runtime's argv hook and turns
 * core dumps off before any Swift code runs (process_start.c). The header exists
 * so the target is a normal C module. */

#endif
