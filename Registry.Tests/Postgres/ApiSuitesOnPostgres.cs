using Registry.Tests.Api;

namespace Registry.Tests.Postgres;

// The API suites again, each class on a host with its own database of the run's PostgreSQL server. (xunit also starts
// the base class's SQLite fixture for these, unused; the browser and real-client suites stay on SQLite only.)

// Api
public sealed class ShubConflictTestsOnPostgres(PostgresApiFactory factory) : Api.ShubConflictTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class KeyserverPagingTestsOnPostgres(PostgresApiFactory factory) : Api.KeyserverPagingTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class UploadTestsOnPostgres(PostgresApiFactory factory) : Api.UploadTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class ReservedNamesTestsOnPostgres(PostgresApiFactory factory) : Api.ReservedNamesTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class ShubContractTestsOnPostgres(PostgresApiFactory factory) : Api.ShubContractTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class MultipartHashTestsOnPostgres(PostgresApiFactory factory) : Api.MultipartHashTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class PermissionTestsOnPostgres(PostgresApiFactory factory) : Api.PermissionTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class KeyserverTestsOnPostgres(PostgresApiFactory factory) : Api.KeyserverTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class TokenScopeTestsOnPostgres(PostgresApiFactory factory) : Api.TokenScopeTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class SregistryListingTestsOnPostgres(PostgresApiFactory factory) : Sregistry.SregistryListingTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class UploadContractTestsOnPostgres(PostgresApiFactory factory) : Api.UploadContractTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class DownloadTestsOnPostgres(PostgresApiFactory factory) : Api.DownloadTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class UploadIntegrityTestsOnPostgres(PostgresApiFactory factory) : Api.UploadIntegrityTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class QuotaTestsOnPostgres(PostgresApiFactory factory) : Api.QuotaTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class StorageMaintenanceTestsOnPostgres(PostgresApiFactory factory) : Api.StorageMaintenanceTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class RequestValidationTestsOnPostgres(PostgresApiFactory factory) : Api.RequestValidationTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class ProtocolTestsOnPostgres(PostgresApiFactory factory) : Api.ProtocolTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class PermissionMatrixTestsOnPostgres(PostgresApiFactory factory) : Api.PermissionMatrixTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class CatalogueContractTestsOnPostgres(PostgresApiFactory factory) : Api.CatalogueContractTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class KeyserverOwnershipTestsOnPostgres(PostgresApiFactory factory) : Api.KeyserverOwnershipTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class KeyserverMergeTestsOnPostgres(PostgresApiFactory factory) : Api.KeyserverMergeTests(factory), IClassFixture<PostgresApiFactory>;

// Sregistry
public sealed class SregistryPushPullTestsOnPostgres(PostgresApiFactory factory) : Sregistry.SregistryPushPullTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class SregistryPermissionMatrixTestsOnPostgres(PostgresApiFactory factory) : Sregistry.SregistryPermissionMatrixTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class SregistryRaceTestsOnPostgres(PostgresApiFactory factory) : Sregistry.SregistryRaceTests(factory), IClassFixture<PostgresApiFactory>;

// Oci
public sealed class OciPushPullTestsOnPostgres(PostgresApiFactory factory) : Oci.OciPushPullTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class OciPermissionMatrixTestsOnPostgres(PostgresApiFactory factory) : Oci.OciPermissionMatrixTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class OciUploadTestsOnPostgres(PostgresApiFactory factory) : Oci.OciUploadTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class OciCatalogTestsOnPostgres(PostgresApiFactory factory) : Oci.OciCatalogTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class OciAuthTestsOnPostgres(PostgresApiFactory factory) : Oci.OciAuthTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class OciGcTestsOnPostgres(PostgresApiFactory factory) : Oci.OciGcTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class OciSearchTestsOnPostgres(PostgresApiFactory factory) : Oci.OciSearchTests(factory), IClassFixture<PostgresApiFactory>;
public sealed class RacingInvariantsTestsOnPostgres(PostgresApiFactory factory) : RacingInvariantsTests(factory), IClassFixture<PostgresApiFactory>;

// The admin command line, a real process, against a server on PostgreSQL.
public sealed class PostgresTermsServerFixture : EndToEnd.TermsServerFixture { protected override Registry.Core.DatabaseProvider Database => Registry.Core.DatabaseProvider.PostgreSql; }
public sealed class AdminCliTestsOnPostgres(PostgresTermsServerFixture fx) : EndToEnd.AdminCliTests(fx), IClassFixture<PostgresTermsServerFixture>;
public sealed class SearchRaceTestsOnPostgres(PostgresApiFactory factory) : Api.SearchRaceTests(factory), IClassFixture<PostgresApiFactory>;
