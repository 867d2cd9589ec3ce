using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
{
    /// <summary>
    /// Upload rows name their staged bytes by id (<c>StagingId</c>) instead of a temp path; the column keeps its name
    /// (<c>TempPath</c>) and old rows' paths still resolve (their file name is the id). The model changed, not the schema.
    /// </summary>
    public partial class StagedUploadIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
