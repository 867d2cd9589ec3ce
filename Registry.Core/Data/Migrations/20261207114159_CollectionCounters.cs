using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CollectionCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Bytes",
                table: "Collections",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "ContainerCount",
                table: "Collections",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "StarCount",
                table: "Collections",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_Images_LabelsUnread",
                table: "Images",
                column: "Id",
                filter: "\"Uploaded\" AND NOT \"LabelsRead\"");

            migrationBuilder.CreateIndex(
                name: "IX_Collections_Bytes",
                table: "Collections",
                column: "Bytes");

            migrationBuilder.CreateIndex(
                name: "IX_Collections_ContainerCount",
                table: "Collections",
                column: "ContainerCount");

            migrationBuilder.CreateIndex(
                name: "IX_Collections_StarCount",
                table: "Collections",
                column: "StarCount");

            // From here on the database keeps the counters (CollectionCounters); filled once for the rows there are.
            foreach (var trigger in global::Registry.Core.Collections.CollectionCounters.SqliteTriggers) migrationBuilder.Sql(trigger);
            migrationBuilder.Sql(global::Registry.Core.Collections.CollectionCounters.RecountSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in global::Registry.Core.Collections.CollectionCounters.SqliteTriggerNames) migrationBuilder.Sql($"DROP TRIGGER \"{trigger}\";");
            migrationBuilder.DropIndex(
                name: "IX_Images_LabelsUnread",
                table: "Images");

            migrationBuilder.DropIndex(
                name: "IX_Collections_Bytes",
                table: "Collections");

            migrationBuilder.DropIndex(
                name: "IX_Collections_ContainerCount",
                table: "Collections");

            migrationBuilder.DropIndex(
                name: "IX_Collections_StarCount",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "Bytes",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "ContainerCount",
                table: "Collections");

            migrationBuilder.DropColumn(
                name: "StarCount",
                table: "Collections");
        }
    }
}
