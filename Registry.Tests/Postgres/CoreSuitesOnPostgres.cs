using Registry.Core;
using Registry.Tests.Core;

namespace Registry.Tests.Postgres;

// The Core service suites again, each test on a fresh database of the run's PostgreSQL server.
public sealed class CollectionOptionsTestsOnPostgres : CollectionOptionsTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class MemberInviteTestsOnPostgres : MemberInviteTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class RegistrationPolicyTestsOnPostgres : RegistrationPolicyTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class SignupInviteTestsOnPostgres : SignupInviteTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class TeamServiceTestsOnPostgres : TeamServiceTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class TermsServiceTestsOnPostgres : TermsServiceTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class UserDeletionTestsOnPostgres : UserDeletionTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class WriteGenerationTestsOnPostgres : WriteGenerationTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class FoldTestsOnPostgres : FoldTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class CollectionBrowserPagingTestsOnPostgres : CollectionBrowserPagingTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class CollectionCounterTestsOnPostgres : CollectionCounterTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class CliSecretRaceTestsOnPostgres : CliSecretRaceTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class OciCollectionBytesTestsOnPostgres : OciCollectionBytesTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class UserPageTestsOnPostgres : UserPageTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class AdminRaceTestsOnPostgres : AdminRaceTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class SearchIndexTestsOnPostgres : SearchIndexTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class ContainerBrowserTestsOnPostgres : ContainerBrowserTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class DatabaseStartupTestsOnPostgres : DatabaseStartupTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
public sealed class CommonWordSearchTestsOnPostgres : CommonWordSearchTests { protected override DatabaseProvider Provider => DatabaseProvider.PostgreSql; }
