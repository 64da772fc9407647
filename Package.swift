// swift-tools-version:6.1
import PackageDescription

// Members of a module are visible only where it is imported: TOMLKit
// imports Foundation, and without this its String extensions leak
// into our files and link Foundation and ICU into the binary (docs/development.md).
let strictImports: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

// What jq 1.8.2's ./configure defines on Debian 12 (glibc 2.36, x86_64) and its library
// sources test. jq has no config.h: upstream passes these as -D flags, and so do we.
let jqDefines: [CSetting] = [
    "_GNU_SOURCE", "USE_DECNUM", "HAVE_LIBONIG", "IEEE_8087", "HAVE___THREAD",
    "HAVE_PTHREAD_KEY_CREATE", "HAVE_PTHREAD_ONCE", "HAVE_ATEXIT", "HAVE_ALLOCA", "HAVE_ALLOCA_H", "HAVE_MEMMEM",
    "HAVE_ARC4RANDOM", "HAVE_GETENTROPY",
    "HAVE_STRPTIME", "HAVE_STRFTIME", "HAVE_TIMEGM", "HAVE_GMTIME", "HAVE_GMTIME_R",
    "HAVE_LOCALTIME_R", "HAVE_GETTIMEOFDAY", "HAVE_TM_TM_GMT_OFF", "HAVE_SETENV",
    "HAVE_ACOS", "HAVE_ACOSH", "HAVE_ASIN", "HAVE_ASINH", "HAVE_ATAN2", "HAVE_ATAN", "HAVE_ATANH",
    "HAVE_CBRT", "HAVE_CEIL", "HAVE_COPYSIGN", "HAVE_COS", "HAVE_COSH", "HAVE_DREM", "HAVE_ERF",
    "HAVE_ERFC", "HAVE_EXP10", "HAVE_EXP2", "HAVE_EXP", "HAVE_EXPM1", "HAVE_FABS", "HAVE_FDIM",
    "HAVE_FLOOR", "HAVE_FMA", "HAVE_FMAX", "HAVE_FMIN", "HAVE_FMOD", "HAVE_FREXP", "HAVE_GAMMA",
    "HAVE_HYPOT", "HAVE_J0", "HAVE_J1", "HAVE_JN", "HAVE_LDEXP", "HAVE_LGAMMA", "HAVE_LOG10",
    "HAVE_LOG1P", "HAVE_LOG2", "HAVE_LOG", "HAVE_LOGB", "HAVE_MODF", "HAVE_LGAMMA_R",
    "HAVE_NEARBYINT", "HAVE_NEXTAFTER", "HAVE_NEXTTOWARD", "HAVE_POW", "HAVE_REMAINDER",
    "HAVE_RINT", "HAVE_ROUND", "HAVE_SCALB", "HAVE_SCALBLN", "HAVE_SIGNIFICAND", "HAVE_SCALBN",
    "HAVE_ILOGB", "HAVE_SIN", "HAVE_SINH", "HAVE_SQRT", "HAVE_TAN", "HAVE_TANH", "HAVE_TGAMMA",
    "HAVE_TRUNC", "HAVE_Y0", "HAVE_Y1", "HAVE_YN",
].map { .define($0) }

// The oniguruma functions and data jq's builtin.c names, renamed so that they are our
// loader's (onig_loader.c) and never clash with libonig's own when it is loaded.
let onigRenames: [CSetting] = [
    "onig_new", "onig_free", "onig_search", "onig_region_new", "onig_region_free", "onig_foreach_name",
    "onig_error_code_to_str", "OnigEncodingUTF8", "OnigSyntaxPerl_NG",
].map { .define($0, to: "cjq_" + $0) }

let package = Package(
    name: "apictl",
    products: [
        .executable(name: "apictl", targets: ["apictl"]),
        // Parses OpenAPI descriptions for `apictl api sync`: its own binary, so apictl itself
        // never links OpenAPIKit, libyaml or Foundation (docs/openapi.md).
        .executable(name: "apictl-openapi", targets: ["apictl-openapi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        // No external loading: a description's $refs are resolved within it.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", exact: "6.4.0", traits: []),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libyaml's parser, whose events apictl-openapi writes straight out as JSON (YAMLAsJSON.swift).
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // libsecret is opened with dlopen on first use (see keyring.c), so it is not linked.
        .target(name: "CLibSecret", linkerSettings: [.linkedLibrary("dl")]),
        // The kernel key retention service through raw system calls (kernel_keyring.c).
        .target(name: "CKernelKeyring"),
        // Whether a file has an extended POSIX ACL (<sys/xattr.h>, which Swift's Glibc leaves out).
        .target(name: "CFileACL"),
        // renameat2's exchange, which Swift's Glibc leaves out: a synced index replaces the old one in one step.
        .target(name: "CFolderSwap"),
        // The audit record's lines for requests still on their way, written if a signal ends the process.
        .target(name: "CAuditSignal"),
        // SHA-256, HMAC, AES-GCM and scrypt (the encrypted credential file, PKCE) from OpenSSL's
        // libcrypto, which libcurl already loads: the one crypto library in the process.
        .target(name: "CLibCrypto", linkerSettings: [.linkedLibrary("crypto")]),
        // Client certificates read and checked with OpenSSL's libcrypto, which libcurl already loads.
        .target(name: "CX509", linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("ssl"), .linkedLibrary("curl")]),
        // jq 1.8.2's library, unmodified, and our shim (Sources/CJQ/README.md). Its regular
        // expressions use Debian's oniguruma, opened with dlopen on the first one a filter
        // runs (onig_loader.c): the oniguruma names jq uses are renamed to our loader's.
        .target(
            name: "CJQ",
            exclude: ["README.md", "jq/COPYING", "jq/AUTHORS", "jq/src/builtin.jq", "jq/src/builtin.inc",
                      "jq/vendor/decNumber/ICU-license.html"],
            cSettings: jqDefines + onigRenames + [
                .headerSearchPath("jq"),            // builtin.c: #include "src/builtin.inc"
                .headerSearchPath("jq/src"),
                .headerSearchPath("jq/vendor"),     // jv.c: #include "decNumber/decNumber.h"
                .unsafeFlags(["-w"]),               // upstream's own warnings, this target only
            ],
            linkerSettings: [
                .linkedLibrary("m"), .linkedLibrary("dl"),
                // cjq_shim.c takes the place of get_home (no ~/.jq) and binds its definitions
                // before jq's builtins.
                .unsafeFlags(["-Xlinker", "--wrap=get_home", "-Xlinker", "--wrap=builtins_bind"]),
            ]
        ),
        // The index format apictl-openapi writes and APICtlCore reads, defined once for both.
        .target(name: "APICtlIndexFormat", swiftSettings: strictImports),
        .target(
            name: "APICtlCore",
            dependencies: [
                "APICtlIndexFormat",
                "CCurl",
                "CLibSecret",
                "CKernelKeyring",
                "CFileACL",
                "CFolderSwap",
                "CAuditSignal",
                "CX509",
                "CLibCrypto",
                "CJQ",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strictImports
        ),
        .target(name: "APICtlCLI", dependencies: ["APICtlCore", "APICtlIndexFormat"], swiftSettings: strictImports),
        // Supplies the Swift runtime's argv hook so start-up skips a /proc/self/maps scan (process_start.c).
        .target(name: "CProcessStart"),
        // startup-order.txt is for the release link (Makefile), not a source.
        .executableTarget(name: "apictl", dependencies: ["APICtlCLI", "CProcessStart"], exclude: ["startup-order.txt"],
                          swiftSettings: strictImports),
        .executableTarget(
            name: "apictl-openapi",
            dependencies: [
                "APICtlIndexFormat",
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
                "CLibYAML",
            ]
        ),
        // Fakes for every swappable part of a session (transport, store, kernel keyring, process runner).
        .target(name: "APICtlTestSupport", dependencies: ["APICtlCore"], path: "Tests/APICtlTestSupport"),
        .testTarget(name: "APICtlCoreTests", dependencies: ["APICtlCore", "APICtlTestSupport"]),
        .testTarget(name: "APICtlCLITests", dependencies: ["APICtlCLI", "APICtlTestSupport"]),
        .testTarget(name: "APICtlOpenAPITests", dependencies: ["apictl-openapi", "APICtlIndexFormat"]),
    ],
    swiftLanguageModes: [.v6]
)
