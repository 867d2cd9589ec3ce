using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class SearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Search answered by indexes (issue 18): FTS5 trigram tables kept by triggers, filled from the rows there are (rebuild). Only new tables, indexes and triggers: no table is rebuilt.
            foreach (var sql in global::Registry.Core.Search.SearchIndex.SqliteCreateAll) migrationBuilder.Sql(sql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in global::Registry.Core.Search.SearchIndex.SqliteDropAll) migrationBuilder.Sql(sql);
        }
    }
}
