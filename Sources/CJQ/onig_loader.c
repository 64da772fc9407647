// jq's regular expressions (test, match, capture, sub, splits...) through Debian's
// oniguruma, opened with dlopen the first time a filter compiles a regex: apictl is not
// linked against libonig, so no run without one loads it. The names jq's builtin.c uses
// are renamed to cjq_* for this target (Package.swift, onigRenames), so the definitions
// below are what jq calls, and they never take the place of libonig's own exports. The
// two data objects jq names (the UTF-8 encoding and the Perl_NG syntax) are placeholders
// here, swapped for libonig's real ones on the way in.
#include <oniguruma.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

OnigEncodingType OnigEncodingUTF8;      // cjq_OnigEncodingUTF8: a placeholder
OnigSyntaxType OnigSyntaxPerl_NG;       // cjq_OnigSyntaxPerl_NG: likewise

static struct {
    int state;   // 0: not tried, 1: loaded, -1: not available
    OnigEncoding utf8;
    OnigSyntaxType *perl_ng;
    int (*new_regex)(OnigRegex *, const OnigUChar *, const OnigUChar *, OnigOptionType, OnigEncoding, OnigSyntaxType *,
                     OnigErrorInfo *);
    void (*free_regex)(OnigRegex);
    int (*search)(OnigRegex, const OnigUChar *, const OnigUChar *, const OnigUChar *, const OnigUChar *, OnigRegion *,
                  OnigOptionType);
    OnigRegion *(*region_new)(void);
    void (*region_free)(OnigRegion *, int);
    int (*foreach_name)(OnigRegex, int (*)(const OnigUChar *, const OnigUChar *, int, int *, OnigRegex, void *), void *);
    int (*error_text)(OnigUChar *, int, ...);
} onig;

// What jq is told when libonig cannot be had; ONIG_MAX_ERROR_MESSAGE_LEN (90) bytes at most.
static const char unavailable[] = "regular expressions need libonig.so.5 (Debian: libonig5)";
enum { NOT_AVAILABLE = ONIGERR_MEMORY };

static int loaded(void) {
    if (onig.state) return onig.state > 0;
    onig.state = -1;
    void *h = dlopen("libonig.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) return 0;
#define LOAD(field, symbol) if (!(*(void **)&onig.field = dlsym(h, symbol))) return 0;
    LOAD(utf8, "OnigEncodingUTF8")
    LOAD(perl_ng, "OnigSyntaxPerl_NG")
    LOAD(new_regex, "onig_new")
    LOAD(free_regex, "onig_free")
    LOAD(search, "onig_search")
    LOAD(region_new, "onig_region_new")
    LOAD(region_free, "onig_region_free")
    LOAD(foreach_name, "onig_foreach_name")
    LOAD(error_text, "onig_error_code_to_str")
#undef LOAD
    onig.state = 1;
    return 1;
}

int onig_new(OnigRegex *reg, const OnigUChar *pattern, const OnigUChar *pattern_end, OnigOptionType option,
             OnigEncoding enc, OnigSyntaxType *syntax, OnigErrorInfo *einfo) {
    if (!loaded()) return NOT_AVAILABLE;
    if (enc == &OnigEncodingUTF8) enc = onig.utf8;
    if (syntax == &OnigSyntaxPerl_NG) syntax = onig.perl_ng;
    return onig.new_regex(reg, pattern, pattern_end, option, enc, syntax, einfo);
}

void onig_free(OnigRegex reg) { if (loaded()) onig.free_regex(reg); }

int onig_search(OnigRegex reg, const OnigUChar *str, const OnigUChar *end, const OnigUChar *start,
                const OnigUChar *range, OnigRegion *region, OnigOptionType option) {
    if (!loaded()) return NOT_AVAILABLE;
    return onig.search(reg, str, end, start, range, region, option);
}

OnigRegion *onig_region_new(void) { return loaded() ? onig.region_new() : NULL; }

void onig_region_free(OnigRegion *region, int free_self) { if (loaded() && region) onig.region_free(region, free_self); }

int onig_foreach_name(OnigRegex reg, int (*func)(const OnigUChar *, const OnigUChar *, int, int *, OnigRegex, void *),
                      void *arg) {
    return loaded() ? onig.foreach_name(reg, func, arg) : 0;
}

// jq always passes its OnigErrorInfo as the one variadic argument.
int onig_error_code_to_str(OnigUChar *s, int code, ...) {
    va_list arguments;
    va_start(arguments, code);
    OnigErrorInfo *einfo = va_arg(arguments, OnigErrorInfo *);
    va_end(arguments);
    if (!loaded()) return snprintf((char *)s, ONIG_MAX_ERROR_MESSAGE_LEN, "%s", unavailable);
    return onig.error_text(s, code, einfo);
}
