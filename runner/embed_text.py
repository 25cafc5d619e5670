"""Build helper: embeds a text file in a C++ header as a raw string constant.

Usage: embed_text.py INPUT OUTPUT NAME
"""
import sys

DELIMITER = "SIGCONFORM_EMBED"


def main(source, target, name):
    with open(source, encoding="utf-8") as f:
        text = f.read()
    if ")" + DELIMITER + '"' in text:
        sys.exit("embed_text.py: %s contains the raw-string delimiter" % source)
    with open(target, "w", encoding="utf-8") as f:
        f.write("// Generated from %s by embed_text.py: do not edit.\n" % source.split("/")[-1])
        f.write("#pragma once\n\n")
        f.write("namespace sigconform {\n\n")
        f.write("inline constexpr char %s[] = R\"%s(%s)%s\";\n\n" % (name, DELIMITER, text, DELIMITER))
        f.write("}  // namespace sigconform\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
