#ifndef CPROCESSSTART_H
#define CPROCESSSTART_H

/* Nothing to call: this target only supplies the Swift runtime's argv hook
 * (process_start.c). The header exists so the target is a normal C module. */

#endif
