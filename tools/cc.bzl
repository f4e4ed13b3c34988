"""C++ rules for project code: C++20 with warnings as errors.

Generated code (protos) and third_party wrappers do not use these, so a warning in a system header
or in protoc's output never breaks the build.
"""

PROJECT_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

def bo_cc_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = PROJECT_COPTS + copts, **kwargs)

def bo_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = PROJECT_COPTS + copts, **kwargs)

def bo_cc_test(name, copts = [], deps = [], tags = [], **kwargs):
    """A Catch2 test. Tests that start PostgreSQL need tags = ["no-sandbox"] (see DESIGN.md)."""
    native.cc_test(
        name = name,
        copts = PROJECT_COPTS + copts,
        deps = deps + ["//third_party:catch2_main"],
        tags = tags,
        **kwargs
    )
