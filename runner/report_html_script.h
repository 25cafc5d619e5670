// The script of the HTML dashboard (report_html.cc), kept apart from the C++ that writes the
// page so that it reads as JavaScript.
#ifndef SIGCONFORM_RUNNER_REPORT_HTML_SCRIPT_H_
#define SIGCONFORM_RUNNER_REPORT_HTML_SCRIPT_H_

namespace sigconform {

// Filters (status, implementation, area, text, changed only) that hide rows and columns of
// the server-rendered matrix, and a drill-down panel built from the page's embedded JSON
// (#sigconform-data). Every string from the data reaches the page through textContent, never
// as markup. Plain ES2017, no network, no storage.
extern const char kDashboardScript[];

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_REPORT_HTML_SCRIPT_H_
