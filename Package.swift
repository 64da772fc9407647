// swift-tools-version:6.1
import PackageDescription

// Members of a module are visible only where it is imported: TOMLKit and
// swift-crypto import Foundation, and without this its String extensions leak
// into our files and link Foundation and ICU into the binary (docs/development.md).
let strictImports: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "apictl",
    products: [
        .executable(name: "apictl", targets: ["apictl"]),
        // Parses OpenAPI descriptions for `apictl api sync`: its own binary, so apictl itself
        // never links OpenAPIKit, Yams or Foundation (docs/openapi.md).
        .executable(name: "apictl-openapi", targets: ["apictl-openapi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        // No external loading: a description's $refs are resolved within it.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", exact: "6.4.0", traits: []),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libsecret is opened with dlopen on first use (see keyring.c), so it is not linked.
        .target(name: "CLibSecret", linkerSettings: [.linkedLibrary("dl")]),
        // The kernel key retention service through raw system calls (kernel_keyring.c).
        .target(name: "CKernelKeyring"),
        // libjq is opened with dlopen on the first --jq (jq.c), so it is not linked.
        .target(name: "CLibJQ", linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "APICtlCore",
            dependencies: [
                "CCurl",
                "CLibSecret",
                "CKernelKeyring",
                "CLibJQ",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strictImports
        ),
        .target(name: "APICtlCLI", dependencies: ["APICtlCore"], swiftSettings: strictImports),
        // Supplies the Swift runtime's argv hook so start-up skips a /proc/self/maps scan (process_start.c).
        .target(name: "CProcessStart"),
        // startup-order.txt is for the release link (Makefile), not a source.
        .executableTarget(name: "apictl", dependencies: ["APICtlCLI", "CProcessStart"], exclude: ["startup-order.txt"],
                          swiftSettings: strictImports),
        .executableTarget(
            name: "apictl-openapi",
            dependencies: [
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Fakes for every swappable part of a session (transport, store, kernel keyring, process runner).
        .target(name: "APICtlTestSupport", dependencies: ["APICtlCore"], path: "Tests/APICtlTestSupport"),
        .testTarget(name: "APICtlCoreTests", dependencies: ["APICtlCore", "APICtlTestSupport"]),
        .testTarget(name: "APICtlCLITests", dependencies: ["APICtlCLI", "APICtlTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
