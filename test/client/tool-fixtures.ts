/** A tool definition the client tool tests share (its enum lets the emulator's input be checked). */
export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'The current weather in a city',
  inputSchema: {
    type: 'object',
    properties: {
      city: { type: 'string', description: 'The city' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city', 'unit'],
  },
};
