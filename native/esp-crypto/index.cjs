// Loads the addon built by `node-gyp rebuild` (npm runs it when it installs this optional package).
module.exports = require('./build/Release/esp_crypto.node');
