// Every note uses the note layout and is published at /incidents/<file stem>/, as in Salvo.
module.exports = {
  layout: "note.njk",
  permalink: (data) => `/incidents/${data.page.fileSlug === "" ? "" : data.page.filePathStem.split("/").pop()}/`,
};
