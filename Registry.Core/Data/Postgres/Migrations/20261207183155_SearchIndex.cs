using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Search answered by indexes (issue 18): pg_trgm and its GIN indexes, built over the rows there are. Only new tables, indexes and triggers: no table is rebuilt.
            foreach (var sql in global::Registry.Core.Search.SearchIndex.PostgresCreateAll) migrationBuilder.Sql(sql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in global::Registry.Core.Search.SearchIndex.PostgresDropAll) migrationBuilder.Sql(sql);
        }
    }
}
