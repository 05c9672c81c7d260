/**
 * Stands in for `jsonschema` in Lambda bundles. ElectroDB uses it only to validate each entity's model when the
 * entity is constructed, which costs every cold start ~60 ms and 28 KB for a check whose answer never changes:
 * the models are constants, and every test run constructs them against the real validator (node_modules).
 * The stub accepts any model; the API ElectroDB uses (Validator, customFormats, addSchema, validate) is all there is.
 */
class Validator {
  addSchema() {}
  validate() {
    return { errors: [] };
  }
}
Validator.prototype.customFormats = {};
module.exports = { Validator };
