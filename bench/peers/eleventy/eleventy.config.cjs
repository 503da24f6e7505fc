// Eleventy input for the benchmark: the pages Salvo writes (notes, timeline, classes, feed), no others.
module.exports = function (eleventyConfig) {
  const byDate = (a, b) => a.date - b.date;
  eleventyConfig.addCollection("incidents", (api) => api.getFilteredByGlob("incidents/*.md").sort(byDate));
  eleventyConfig.addCollection("missileClasses", (api) => {
    const classes = new Map();
    for (const note of api.getFilteredByGlob("incidents/*.md").sort(byDate)) {
      const key = note.data.missile_type;
      if (!classes.has(key)) classes.set(key, { key, notes: [] });
      classes.get(key).notes.push(note);
    }
    return [...classes.values()].sort((a, b) => a.key.localeCompare(b.key));
  });
  eleventyConfig.addFilter("slug", (text) => String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-"));
  eleventyConfig.addFilter("latest", (notes, n) => notes.slice(-n).reverse());
  eleventyConfig.addFilter("isoDate", (date) => date.toISOString());
  return {
    templateFormats: ["md", "njk"],
    markdownTemplateEngine: false,
    htmlTemplateEngine: "njk",
    dir: { input: ".", includes: "_includes", data: "_data" },
  };
};
