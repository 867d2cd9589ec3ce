using Xunit.Abstractions;
using Xunit.Sdk;

namespace Registry.Tests.Browser;

/// <summary>Runs the tests of a class in the ordinal order of their method names (<c>S01_…</c>, <c>S02_…</c>): a scenario in steps.</summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "Registry.Tests.Browser.StepOrderer";
    public const string AssemblyName = "Registry.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
