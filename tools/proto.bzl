"""Protocol Buffers + gRPC C++ code generation with Debian's protoc and grpc_cpp_plugin.

    cc_grpc_proto(
        name = "users_cc_proto",
        srcs = ["users.proto"],
        deps = ["//proto/common/v1:common_cc_proto"],
    )

makes a cc_library with users.pb.{h,cc} and users.grpc.pb.{h,cc}; include them as
"proto/users/v1/users.grpc.pb.h". Imports resolve from the workspace root, and the well-known
types (google/protobuf/*.proto) from /usr/include.
"""

def cc_grpc_proto(name, srcs, deps = [], visibility = None):
    proto_files = name + "_files"
    native.filegroup(
        name = proto_files,
        srcs = srcs + [dep + "_files" for dep in deps],
        visibility = visibility,
    )

    outs = []
    for src in srcs:
        stem = src[:-len(".proto")]
        outs += [stem + ".pb.h", stem + ".pb.cc", stem + ".grpc.pb.h", stem + ".grpc.pb.cc"]

    native.genrule(
        name = name + "_gen",
        srcs = srcs + [":" + proto_files],
        outs = outs,
        tools = [],
        cmd = " ".join([
            "/usr/bin/protoc",
            "-I.",
            "-I/usr/include",
            "--cpp_out=$(GENDIR)",
            "--grpc_out=$(GENDIR)",
            "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin",
        ] + ["$(location %s)" % src for src in srcs]),
    )

    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + [
            "//third_party:grpc",
            "//third_party:protobuf",
        ],
        visibility = visibility,
    )
