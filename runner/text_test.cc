#include "text.h"

#include <string>

#include <gtest/gtest.h>

namespace sigconform {
namespace {

// Issue 12, failure 8: driver bytes such as ESC, BEL and CR reached the terminal raw.
TEST(TerminalText, DriverBytesBecomeVisibleEscapes) {
  EXPECT_EQ(TerminalText("plain text, tab\there"), "plain text, tab\there");
  EXPECT_EQ(TerminalText("\x1b[2J\x07title\r\n"), "\\x1b[2J\\x07title\\x0d\\n");
  EXPECT_EQ(TerminalText(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  // C1 controls (0x9b is a one-byte CSI) and the bidirectional overrides that reorder text.
  EXPECT_EQ(TerminalText("\xc2\x9b" "31m"), "\\u009b31m");
  EXPECT_EQ(TerminalText("abc\xe2\x80\xae" "fed\xe2\x81\xa6"), "abc\\u202efed\\u2066");
  // Ordinary non-ASCII text stays as it is; broken UTF-8 becomes U+FFFD.
  EXPECT_EQ(TerminalText("señal \xe2\x80\x94 ok"), "señal \xe2\x80\x94 ok");
  EXPECT_EQ(TerminalText("bad \xff byte"), "bad \xef\xbf\xbd byte");
}

// The same text goes into XML, Markdown and HTML reports: the noncharacters XML 1.0 cannot carry
// are escaped too, and a block of captured output may keep its lines.
TEST(TerminalText, InertForEveryReportFormat) {
  EXPECT_EQ(TerminalText("a\xef\xbf\xbe" "b\xef\xbf\xbf" "c"), "a\\ufffeb\\uffffc");
  EXPECT_EQ(TerminalText("one\ntwo\tthree\r\n", /*keep_newlines=*/true), "one\ntwo\tthree\\x0d\n");
  EXPECT_EQ(TerminalText("one\ntwo"), "one\\ntwo");
}

TEST(CapText, CutsLongTextSayingHowMuchAndNeverInsideACharacter) {
  EXPECT_EQ(CapText("short", 10), "short");
  EXPECT_EQ(CapText(std::string(100, 'x'), 10), std::string(10, 'x') + " [... 90 more bytes]");
  // "é" is two bytes: a cut after its first byte moves back before it.
  EXPECT_EQ(CapText("aaaa\xc3\xa9zz", 5), "aaaa [... 4 more bytes]");
}

}  // namespace
}  // namespace sigconform
