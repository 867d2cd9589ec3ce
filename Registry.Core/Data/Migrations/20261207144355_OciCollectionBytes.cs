using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class OciCollectionBytes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // From here on the database adds what /v2/ stores to Collection.Bytes (OciCollectionBytes); filled once for the rows there are.
            foreach (var trigger in global::Registry.Core.Collections.OciCollectionBytes.SqliteTriggers) migrationBuilder.Sql(trigger);
            migrationBuilder.Sql(global::Registry.Core.Collections.OciCollectionBytes.RecountSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in global::Registry.Core.Collections.OciCollectionBytes.SqliteTriggerNames) migrationBuilder.Sql($"DROP TRIGGER \"{trigger}\";");
            migrationBuilder.Sql(global::Registry.Core.Collections.CollectionCounters.RecountSql);
        }
    }
}
