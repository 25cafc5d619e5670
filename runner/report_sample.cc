// Prints a JSON report covering every status and every optional field, so that
// schema_agreement_test.py can check spec/report.schema.json against what ReportJson writes.
#include <iostream>

#include "report.h"
#include "report_fixture.h"

int main() {
  std::cout << sigconform::ReportJson(sigconform::SampleRun(), sigconform::SampleResults()).dump(2)
            << "\n";
  return 0;
}
