#ifndef SWITCHYARD_CGRAPHVIZ_SHIM_H
#define SWITCHYARD_CGRAPHVIZ_SHIM_H
/* Graphviz's layout and rendering library (libgvc) and its graph library (libcgraph). Only
 * Switchyard's GraphvizRenderer imports this module; no Graphviz pointer leaves that file. */
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Why a memory discipline of our own: cgraph's default ID discipline uses the address of an
 * object's interned name as its ID, and keeps subgraphs in a dictionary ordered by ID. With
 * malloc, the order in which `dot` sees clusters (and so the layout) depends on the heap, and
 * the same graph laid out twice in one process can come out differently. This discipline
 * allocates from one reserved region, upwards, so addresses - hence IDs, hence the subgraph
 * order - follow creation order (document order for our DOT). Freed blocks are not reused;
 * the region is unmapped when the graph is closed. If the region cannot be reserved, plain
 * calloc/free are used (the layout is then only as stable as malloc). */
#define SWITCHYARD_ARENA_SIZE ((size_t)1 << 30) /* reserved, not committed */

typedef struct {
    char *base; /* NULL: calloc/free fallback */
    size_t used;
} switchyard_arena;

static void *switchyard_arena_open(Agdisc_t *disc) {
    (void)disc;
    switchyard_arena *arena = (switchyard_arena *)calloc(1, sizeof(switchyard_arena));
    if (arena == NULL) return NULL;
    int flags = MAP_PRIVATE | MAP_ANON;
#ifdef MAP_NORESERVE
    flags |= MAP_NORESERVE;
#endif
    void *region = mmap(NULL, SWITCHYARD_ARENA_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0);
    arena->base = region == MAP_FAILED ? NULL : (char *)region;
    return arena;
}

static void *switchyard_arena_alloc(void *state, size_t request) {
    switchyard_arena *arena = (switchyard_arena *)state;
    if (arena == NULL || arena->base == NULL) return calloc(1, request);
    size_t size = (request + 15) & ~(size_t)15;
    if (size < request || size > SWITCHYARD_ARENA_SIZE - arena->used) return NULL;
    void *block = arena->base + arena->used; /* fresh anonymous pages are zero */
    arena->used += size;
    return block;
}

static void *switchyard_arena_resize(void *state, void *ptr, size_t old, size_t request) {
    switchyard_arena *arena = (switchyard_arena *)state;
    if (arena == NULL || arena->base == NULL) {
        char *grown = (char *)realloc(ptr, request);
        if (grown != NULL && request > old) memset(grown + old, 0, request - old);
        return grown;
    }
    void *block = switchyard_arena_alloc(state, request);
    if (block != NULL && ptr != NULL) memcpy(block, ptr, old < request ? old : request);
    return block;
}

static void switchyard_arena_free(void *state, void *ptr) {
    switchyard_arena *arena = (switchyard_arena *)state;
    if (arena == NULL || arena->base == NULL) free(ptr);
}

static void switchyard_arena_close(void *state) {
    switchyard_arena *arena = (switchyard_arena *)state;
    if (arena == NULL) return;
    if (arena->base != NULL) munmap(arena->base, SWITCHYARD_ARENA_SIZE);
    free(arena);
}

/* Reads DOT text from memory one line at a time, like agmemread's reader. */
typedef struct {
    const char *data;
    size_t length;
    size_t position;
} switchyard_reader;

static int switchyard_read(void *chan, char *buf, int bufsize) {
    switchyard_reader *reader = (switchyard_reader *)chan;
    if (bufsize <= 0 || reader->position >= reader->length) return 0;
    int n = 0;
    while (n < bufsize - 1 && reader->position < reader->length) {
        char c = reader->data[reader->position++];
        buf[n++] = c;
        if (c == '\n') break;
    }
    buf[n] = '\0';
    return n;
}

/* agmemread with the arena memory discipline. Close the graph with agclose as usual. */
static inline Agraph_t *switchyard_agmemread(const char *text) {
    static Agmemdisc_t memory = {
        switchyard_arena_open, switchyard_arena_alloc, switchyard_arena_resize, switchyard_arena_free,
        switchyard_arena_close};
    static Agiodisc_t io;
    io.afread = switchyard_read;
    io.putstr = AgIoDisc.putstr;
    io.flush = AgIoDisc.flush;
    Agdisc_t disc = {&memory, &AgIdDisc, &io};
    switchyard_reader reader = {text, strlen(text), 0};
    return agread(&reader, &disc);
}
#endif
